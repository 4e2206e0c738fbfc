/**
 * ACME against a real CA: pebble (HTTP-01 validated for real against the gateway's own HTTP listener,
 * DNS from pebble-challtestsrv). A domain created through the API gets a certificate within 30 s and the
 * real curl reaches the function over HTTPS with pebble's root; two domains on one port get their own
 * certificates by SNI; a short-lived certificate is renewed while requests keep succeeding.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestCa } from '../harness/certs.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { createPebbleCa, type Pebble, pebbleEnv, reservePebblePorts, startPebble } from '../harness/pebble.ts'
import { pollUntil } from '../harness/poll.ts'
import { presentedCertificate } from '../harness/tls-client.ts'

const run = promisify(execFile)
/**
 * Short enough that a renewal (a third of the lifetime before the end) comes within the test, and shorter
 * than the loop's default period leaves room for: the renewal must be scheduled at its due time.
 */
const VALIDITY_SECONDS = 15
let gw: TestGateway
let ca: TestCa
let pebble: Pebble

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const certificateOf = async (host: string) =>
  ((await (await api('GET', `/system/domains/${host}`)).json()) as { certificate: Record<string, unknown> })
    .certificate

beforeAll(async () => {
  const ports = await reservePebblePorts()
  ca = await createPebbleCa()
  gw = await startTestGateway({
    EDGEFAAS_TLS_PORT: '0',
    // Longer than a certificate lives: orders must come from kicks (writes) and due times, not passes.
    EDGEFAAS_RECONCILE_INTERVAL_MS: '20000',
    EDGEFAAS_ROUTE_CACHE_TTL_MS: '250',
    ...pebbleEnv(ports, ca),
  })
  pebble = await startPebble(ports, ca, { httpPort: gw.port, certificateValiditySeconds: VALIDITY_SECONDS })
  for (const service of ['hello', 'other']) {
    const deployed = await api('POST', '/system/functions', {
      service,
      image: 'local/env',
      envProcess: 'env',
      envVars: { FN_NAME: service },
    })
    expect(deployed.status).toBe(202)
  }
}, 90_000)
afterAll(async () => {
  await gw?.close()
  await pebble?.stop()
  await ca?.remove()
})

describe('ACME with pebble', () => {
  it('a domain created through the API has a certificate within 30 s; curl reaches the function over HTTPS', async () => {
    await pebble.addHost('api.example.test')
    const created = await api('POST', '/system/domains', { host: 'api.example.test', function: 'hello' })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ tls: 'acme', certificate: { state: 'pending' } })
    const started = Date.now()
    await pollUntil(
      'the certificate to be issued',
      async () => (await certificateOf('api.example.test')).state === 'issued',
      30_000,
      100,
    )
    const took = Date.now() - started
    expect(took).toBeLessThan(30_000)
    expect(await certificateOf('api.example.test')).toMatchObject({
      source: 'acme',
      lastError: null,
      attempts: 0,
    })

    const port = gw.tlsPort as number
    const root = `${gw.dataDir}/pebble-root.pem`
    await writeFile(root, pebble.rootPem)
    const { stdout } = await run('curl', [
      '-sS',
      '--cacert',
      root,
      '--resolve',
      `api.example.test:${port}:127.0.0.1`,
      `https://api.example.test:${port}/`,
    ])
    expect(stdout).toContain('FN_NAME=hello')
    // The order cleaned up its challenge answers: nothing is left for anyone to fetch.
    expect(await gw.deps.store.listDomains()).toHaveLength(1)
    const stored = await gw.deps.store.getCertificate('api.example.test')
    expect(stored?.keyCiphertext).toMatch(/^v1:/)
  })

  it('two domains on one port get their own certificates by SNI', async () => {
    await pebble.addHost('two.example.test')
    expect(
      (await api('POST', '/system/domains', { host: 'two.example.test', function: 'other' })).status,
    ).toBe(201)
    await pollUntil(
      'the second certificate',
      async () => (await certificateOf('two.example.test')).state === 'issued',
      30_000,
      100,
    )
    const port = gw.tlsPort as number
    const first = await presentedCertificate(port, 'api.example.test', pebble.rootPem)
    const second = await presentedCertificate(port, 'two.example.test', pebble.rootPem)
    expect(first.subjectaltname).toBe('DNS:api.example.test')
    expect(second.subjectaltname).toBe('DNS:two.example.test')
  })

  it('shows why an order failed, and keeps the domain serving plain HTTP meanwhile', async () => {
    // The name points where no gateway listens: pebble's HTTP-01 validation is refused.
    await pebble.addHost('broken.example.test', '127.0.0.2')
    expect(
      (await api('POST', '/system/domains', { host: 'broken.example.test', function: 'hello' })).status,
    ).toBe(201)
    await pollUntil(
      'the failure to be recorded',
      async () => (await certificateOf('broken.example.test')).lastError !== null,
      30_000,
      100,
    )
    const shown = await certificateOf('broken.example.test')
    expect(shown).toMatchObject({ state: 'pending', attempts: 1 })
    expect(String(shown.lastError)).toMatch(/127\.0\.0\.2|connection refused|connect/i)
    expect(Date.parse(String(shown.nextAttemptAt))).toBeGreaterThan(Date.now() + 10_000)
    const { stdout } = await run('curl', ['-sS', '-H', 'Host: broken.example.test', `${gw.url}/`])
    expect(stdout).toContain('FN_NAME=hello')
  })

  it('renews a short-lived certificate before it ends, with no failed request meanwhile', async () => {
    const port = gw.tlsPort as number
    const before = await presentedCertificate(port, 'api.example.test', pebble.rootPem)
    let requests = 0
    const failures: string[] = []
    let renewed = false
    const deadline = Date.now() + VALIDITY_SECONDS * 1000 + 15_000
    while (!renewed && Date.now() < deadline) {
      try {
        const peer = await presentedCertificate(port, 'api.example.test', pebble.rootPem)
        const { stdout } = await run('curl', [
          '-sS',
          '--cacert',
          `${gw.dataDir}/pebble-root.pem`,
          '--resolve',
          `api.example.test:${port}:127.0.0.1`,
          `https://api.example.test:${port}/`,
          '-w',
          '\n%{http_code}',
        ])
        requests++
        if (!stdout.endsWith('\n200')) failures.push(stdout.slice(-200))
        renewed = peer.serialNumber !== before.serialNumber
      } catch (error) {
        failures.push(String(error))
      }
    }
    expect(renewed).toBe(true)
    expect(failures).toEqual([])
    expect(requests).toBeGreaterThan(5)
  }, 90_000)
})
