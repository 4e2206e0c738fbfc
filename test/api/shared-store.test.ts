/**
 * Two gateways sharing one PostgreSQL store, as a platform team scales out: a function deployed through
 * one is invocable through the other, and a removal through one is seen by the other within the route
 * cache TTL (the bounded staleness the design promises).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

const TTL_MS = 300
let pg: PostgresServer
let a: TestGateway
let b: TestGateway
let auth: Record<string, string>

beforeAll(async () => {
  pg = await startPostgres()
  const env = { EDGEFAAS_DATABASE_URL: pg.url, EDGEFAAS_ROUTE_CACHE_TTL_MS: String(TTL_MS) }
  a = await startTestGateway(env)
  b = await startTestGateway({ ...env, EDGEFAAS_ADMIN_PASSWORD: 'test-password-1' })
  auth = { authorization: `Basic ${btoa(`${a.user}:${a.password}`)}` }
}, 60_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await pg?.stop()
})

it('a function deployed through one gateway is served by the other, and its removal is seen within the TTL', async () => {
  const deploy = await fetch(`${a.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'shared', image: 'x', envProcess: 'env' }),
  })
  expect(deploy.status).toBe(202)
  // B's local backend has not applied it yet: the call waits for B to reconcile instead of failing.
  const first = await fetch(`${b.url}/function/shared`, { method: 'POST', body: 'x' })
  expect(first.status).toBe(200)
  expect(await first.text()).toContain('Http_Method=POST')

  const remove = await fetch(`${a.url}/system/functions`, {
    method: 'DELETE',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ functionName: 'shared' }),
  })
  expect(remove.status).toBe(202)
  // Bounded staleness: within the TTL, plus room for a loaded machine.
  await pollUntil(
    'gateway B to stop serving the removed function',
    async () => (await fetch(`${b.url}/function/shared`)).status === 404,
    TTL_MS + 3000,
    20,
  )
})
