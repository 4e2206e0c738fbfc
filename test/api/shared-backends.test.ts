/**
 * Two front-door gateways on one PostgreSQL store: a backend registered through one is usable through
 * the other within the route-cache bound, with the credentials sealed by the shared secrets key; its
 * removal through one is seen by the other too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateSecretsKey } from '../../src/store/cipher.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

const TTL_MS = 300
let pg: PostgresServer
let frontA: TestGateway
let frontB: TestGateway
let backend: TestGateway

const api = (gw: TestGateway, method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

beforeAll(async () => {
  pg = await startPostgres()
  const shared = {
    EDGEFAAS_DATABASE_URL: pg.url,
    EDGEFAAS_ROUTE_CACHE_TTL_MS: String(TTL_MS),
    EDGEFAAS_SECRETS_KEY: generateSecretsKey(),
    // Long enough that only the lookups' own refresh, not the tick, can bring the backend in.
    EDGEFAAS_RECONCILE_INTERVAL_MS: '60000',
  }
  ;[frontA, frontB, backend] = await Promise.all([
    startTestGateway(shared),
    startTestGateway(shared),
    startTestGateway({ EDGEFAAS_ADMIN_PASSWORD: 'shared-backend-pw' }),
  ])
}, 60_000)
afterAll(async () => {
  await frontA?.close()
  await frontB?.close()
  await backend?.close()
  await pg?.stop()
})

it('a backend registered through one gateway serves calls through the other within the bound', async () => {
  const created = await api(frontA, 'POST', '/system/backends', {
    name: 'remote',
    kind: 'openfaas',
    url: backend.url,
    credentials: { username: 'admin', password: 'shared-backend-pw' },
  })
  expect(created.status).toBe(201)
  const deployed = await api(frontA, 'POST', '/system/functions', {
    service: 'far',
    image: 'functions/alpine',
    envProcess: 'cat',
    annotations: { 'edgefaas.dev/backends': 'remote' },
  })
  expect(deployed.status).toBe(202)
  expect(await (await api(frontA, 'GET', '/system/deployments?name=far')).json()).toMatchObject([
    { backend: 'remote', status: 'ready' },
  ])

  // B never had "remote" written through it: its registry learns it from the store on its own.
  const since = Date.now()
  await pollUntil(
    'gateway B to serve the function on the backend registered through A',
    async () => {
      const response = await fetch(`${frontB.url}/function/far`, { method: 'POST', body: 'via B' })
      return response.status === 200 && (await response.text()) === 'via B'
    },
    TTL_MS + 10_000,
    20,
  )
  expect(frontB.deps.providers.get('remote')).toBeDefined()
  expect(Date.now() - since).toBeLessThan(TTL_MS + 10_000)

  // Removed through A (function first, then the backend): B drops the backend within the bound.
  expect((await api(frontA, 'DELETE', '/system/functions', { functionName: 'far' })).status).toBe(202)
  await pollUntil(
    'the function to leave the backend',
    async () =>
      (await api(frontA, 'GET', '/system/deployments?name=far'))
        .json()
        .then((r) => (r as unknown[]).length === 0),
    10_000,
  )
  expect((await api(frontA, 'DELETE', '/system/backends/remote')).status).toBe(204)
  await pollUntil(
    'gateway B to drop the deleted backend',
    async () => {
      await fetch(`${frontB.url}/function/far`) // lookups are what refresh it
      return frontB.deps.providers.get('remote') === undefined
    },
    TTL_MS + 3000,
    20,
  )
})
