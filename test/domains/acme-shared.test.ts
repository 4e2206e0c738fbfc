/**
 * Two gateways on one PostgreSQL store, both ordering over ACME from pebble: a domain created through
 * one gets exactly one order (a per-host lease), the CA's HTTP-01 request may reach the other gateway
 * (it answers from the shared store), and both serve the same certificate by SNI.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateSecretsKey } from '../../src/store/cipher.ts'
import type { TestCa } from '../harness/certs.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { createPebbleCa, type Pebble, pebbleEnv, reservePebblePorts, startPebble } from '../harness/pebble.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'
import { presentedCertificate } from '../harness/tls-client.ts'

const run = promisify(execFile)
let pg: PostgresServer
let ca: TestCa
let pebble: Pebble
let a: TestGateway
let b: TestGateway

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
  const ports = await reservePebblePorts()
  ;[pg, ca] = await Promise.all([startPostgres(), createPebbleCa()])
  const shared = {
    EDGEFAAS_DATABASE_URL: pg.url,
    EDGEFAAS_SECRETS_KEY: generateSecretsKey(),
    EDGEFAAS_TLS_PORT: '0',
    EDGEFAAS_RECONCILE_INTERVAL_MS: '300',
    EDGEFAAS_ROUTE_CACHE_TTL_MS: '250',
    ...pebbleEnv(ports, ca),
  }
  ;[a, b] = await Promise.all([startTestGateway(shared), startTestGateway(shared)])
  // Pebble validates against A's HTTP port only: orders B makes are answered by A from the store.
  pebble = await startPebble(ports, ca, { httpPort: a.port })
  const deployed = await api(a, 'POST', '/system/functions', {
    service: 'shared',
    image: 'local/env',
    envProcess: 'env',
    envVars: { FN_NAME: 'shared' },
  })
  expect(deployed.status).toBe(202)
}, 90_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await pebble?.stop()
  await ca?.remove()
  await pg?.stop()
})

it('one order for a domain, and both gateways serve its certificate', async () => {
  await pebble.addHost('shared.example.test')
  const created = await api(b, 'POST', '/system/domains', { host: 'shared.example.test', function: 'shared' })
  expect(created.status).toBe(201)
  await pollUntil(
    'the certificate to be stored',
    async () => (await a.deps.store.getCertificate('shared.example.test'))?.notAfter != null,
    30_000,
    100,
  )
  const onA = await presentedCertificate(a.tlsPort as number, 'shared.example.test', pebble.rootPem)
  let onB = await presentedCertificate(b.tlsPort as number, 'shared.example.test', pebble.rootPem).catch(
    () => null,
  )
  await pollUntil('B to serve it too', async () => {
    onB = await presentedCertificate(b.tlsPort as number, 'shared.example.test', pebble.rootPem).catch(
      () => null,
    )
    return onB !== null
  })
  expect(onB?.serialNumber).toBe(onA.serialNumber)
  // Several passes of both loops later, still the one certificate from the one order.
  const passes = Date.now() + 3000
  await pollUntil('a few more passes', async () => Date.now() > passes, 5000, 100)
  const stored = await a.deps.store.getCertificate('shared.example.test')
  expect(stored?.version).toBe(1)
  expect(pebble.orders()).toEqual({ created: 1, issued: 1 })
  expect(await a.deps.store.getAcmeAccount(pebble.directoryUrl)).not.toBeNull()
  // Through B over HTTPS, the function answers.
  const root = join(b.dataDir, 'pebble-root.pem')
  await writeFile(root, pebble.rootPem)
  const port = b.tlsPort as number
  const { stdout } = await run('curl', [
    '-sS',
    '--cacert',
    root,
    '--resolve',
    `shared.example.test:${port}:127.0.0.1`,
    `https://shared.example.test:${port}/`,
  ])
  expect(stdout).toContain('FN_NAME=shared')
})
