/**
 * `npm run ui:screenshots`: the screenshots of docs/ui.md, taken from a real gateway with realistic
 * content. It starts a front-door gateway (temporary data folder, embedded SQLite) and a second gateway
 * process as a remote backend, registers one more backend that does not answer, fills them through the
 * REST API — functions in three namespaces (one that always fails), secrets, custom domains with an
 * uploaded certificate, a failing ACME order and plain HTTP, synchronous traffic, async calls and dead
 * letters — then opens the main pages in Debian's Chromium at 1280×800 in the light and the dark
 * scheme and writes `docs/ui/<page>-<scheme>.png`. Everything it starts is stopped at the end.
 *
 * Usage: npm run ui:screenshots [-- --out docs/ui]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, openSession } from '../test/harness/browser.ts'
import { createTestCa } from '../test/harness/certs.ts'
import { freePort } from '../test/harness/free-port.ts'
import { type GatewayProcess, startGatewayProcess } from '../test/harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../test/harness/node-gateway.ts'
import { pollUntil } from '../test/harness/poll.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const outArg = process.argv.indexOf('--out')
const OUT = join(ROOT, outArg > 0 ? (process.argv[outArg + 1] ?? 'docs/ui') : 'docs/ui')
const BACKEND_PASSWORD = 'demo-backend-password'

interface Shot {
  name: string
  path: string
  /** Waits until the page shows what the picture is about. */
  ready?(page: Page): Promise<void>
}

function log(message: string): void {
  process.stdout.write(`${message}\n`)
}

async function main(): Promise<void> {
  if (!chromiumAvailable)
    throw new Error('Chromium is not installed at /usr/bin/chromium (apt-get install chromium)')
  const cleanups: Array<() => Promise<unknown>> = []
  try {
    const backendDir = await mkdtemp(join(tmpdir(), 'edgefaas-demo-backend-'))
    cleanups.push(() => rm(backendDir, { recursive: true, force: true }))
    log('starting the gateways')
    const ca = await createTestCa('Demo Issuing CA R3')
    cleanups.push(() => ca.remove())
    const backend: GatewayProcess = await startGatewayProcess({
      EDGEFAAS_DATA_DIR: backendDir,
      EDGEFAAS_ADMIN_PASSWORD: BACKEND_PASSWORD,
      EDGEFAAS_RECONCILE_INTERVAL_MS: '1000',
    })
    cleanups.push(() => backend.stop('SIGTERM'))
    // An ACME directory nobody serves: the ACME domain stays pending (its order keeps retrying).
    const acmePort = await freePort()
    const g: TestGateway = await startTestGateway({
      EDGEFAAS_RETRY_MIN_WAIT_MS: '100',
      EDGEFAAS_RETRY_MAX_WAIT_MS: '200',
      EDGEFAAS_ACME_DIRECTORY_URL: `https://127.0.0.1:${acmePort}/dir`,
      EDGEFAAS_ACME_EMAIL: 'ops@example.test',
    })
    cleanups.unshift(() => g.close())
    await seed(g, backend, ca)

    await mkdir(OUT, { recursive: true })
    const browser = await launchChromium()
    cleanups.unshift(() => browser.close())
    const deadId = await firstDeadLetter(g)
    const shots: Shot[] = [
      {
        name: 'functions',
        path: '/ui/functions?namespace=openfaas-fn',
        ready: (p) => p.locator('#functions').waitFor(),
      },
      {
        name: 'function-detail',
        path: '/ui/functions/openfaas-fn/hello',
        ready: async (p) => {
          await p
            .locator('[data-calls-total]')
            .waitFor({ timeout: 15_000 })
            .catch(() => undefined)
          await p
            .locator('canvas')
            .first()
            .waitFor({ timeout: 15_000 })
            .catch(() => undefined)
        },
      },
      {
        name: 'backends',
        path: '/ui/backends',
        ready: (p) => p.locator('tr[data-backend="us-east"][data-health="bad"]').waitFor(),
      },
      { name: 'domains', path: '/ui/domains', ready: (p) => p.locator('#domains').waitFor() },
      { name: 'async-calls', path: '/ui/async', ready: (p) => p.locator('#calls').waitFor() },
      {
        name: 'dead-letter',
        path: `/ui/dead-letters/${encodeURIComponent(deadId)}`,
        ready: (p) => p.locator('#why').waitFor(),
      },
      {
        name: 'secrets',
        path: '/ui/secrets?namespace=openfaas-fn',
        ready: (p) => p.locator('#secrets').waitFor(),
      },
      { name: 'namespaces', path: '/ui/namespaces', ready: (p) => p.locator('#namespaces').waitFor() },
    ]
    for (const colorScheme of ['light', 'dark'] as const) {
      const session = await openSession(browser, {
        credentials: { user: g.user, password: g.password },
        colorScheme,
        viewport: { width: 1280, height: 800 },
      })
      for (const shot of shots) {
        await session.page.goto(`${g.url}${shot.path}`)
        await shot.ready?.(session.page)
        const file = join(OUT, `${shot.name}-${colorScheme}.png`)
        await session.page.screenshot({ path: file, fullPage: false })
        log(`wrote ${file.slice(ROOT.length)}`)
      }
      await session.close()
    }
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`))
  }
}

/** Realistic content, all through the REST API as an operator (or faas-cli) would make it. */
async function seed(g: TestGateway, backend: GatewayProcess, ca: Awaited<ReturnType<typeof createTestCa>>) {
  const auth = `Basic ${btoa(`${g.user}:${g.password}`)}`
  const api = async (method: string, path: string, body?: unknown, ok = [200, 201, 202, 204]) => {
    const res = await fetch(`${g.url}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res
  }
  log('seeding: namespaces, backends, secrets')
  await api('POST', '/system/namespace/', {
    name: 'payments',
    labels: { team: 'payments', tier: 'critical' },
  })
  await api('POST', '/system/namespace/', { name: 'staging', labels: { team: 'platform' } })
  await api('POST', '/system/backends', {
    name: 'eu-west',
    kind: 'openfaas',
    url: backend.url,
    credentials: { username: 'admin', password: BACKEND_PASSWORD },
    labels: { region: 'eu-west', provider: 'hetzner' },
  })
  await api('POST', '/system/backends', {
    name: 'us-east',
    kind: 'openfaas',
    url: `http://127.0.0.1:${await freePort()}`,
    labels: { region: 'us-east', provider: 'aws' },
  })
  for (const [name, namespace] of [
    ['api-key', 'openfaas-fn'],
    ['db-password', 'openfaas-fn'],
    ['stripe-key', 'payments'],
  ] as const) {
    await api('POST', '/system/secrets', { name, namespace, value: `demo-${name}-value` })
  }

  log('seeding: functions')
  const deploy = (spec: Record<string, unknown>) =>
    api('POST', '/system/functions', { image: 'functions/alpine:latest', envProcess: 'cat', ...spec })
  await deploy({ service: 'hello', labels: { team: 'web' }, secrets: ['api-key'] })
  await deploy({ service: 'env', envProcess: 'env' })
  await deploy({ service: 'resize-image', annotations: { 'edgefaas.dev/backends': 'local=70,eu-west=30' } })
  await deploy({
    service: 'ingest',
    envProcess: 'false',
    annotations: { 'com.openfaas.retry.attempts': '1', 'com.openfaas.retry.min_wait': '100ms' },
  })
  await deploy({ service: 'checkout', namespace: 'payments', secrets: ['stripe-key'] })
  await deploy({ service: 'refund', namespace: 'payments' })
  await deploy({ service: 'preview', namespace: 'staging' })
  for (const [name, namespace] of [
    ['hello', 'openfaas-fn'],
    ['ingest', 'openfaas-fn'],
    ['resize-image', 'openfaas-fn'],
  ] as const) {
    await pollUntil(
      `${name} to answer`,
      async () =>
        (await fetch(`${g.url}/function/${name}.${namespace}`, { method: 'POST', body: 'x' })).status < 502,
      60_000,
    )
  }

  log('seeding: domains')
  const leaf = await ca.issue(['api.example.test'], { days: 60 })
  await api('POST', '/system/domains', {
    host: 'api.example.test',
    function: 'hello',
    path: '/v1',
    certificate: `${leaf.certPem}${ca.certPem}`,
    privateKey: leaf.keyPem,
  })
  await api('POST', '/system/domains', {
    host: 'shop.example.test',
    function: 'checkout',
    namespace: 'payments',
    tls: 'acme',
  })
  await api('POST', '/system/domains', {
    host: 'preview.example.test',
    function: 'preview',
    namespace: 'staging',
    tls: 'none',
  })

  log('seeding: traffic, async calls, dead letters')
  for (let i = 0; i < 60; i++) {
    await fetch(`${g.url}/function/hello`, { method: 'POST', body: `request ${i}` })
    if (i % 6 === 0) await fetch(`${g.url}/function/ingest`, { method: 'POST', body: `event ${i}` })
    if (i % 3 === 0) await fetch(`${g.url}/function/resize-image`, { method: 'POST', body: 'png…' })
  }
  for (let i = 0; i < 8; i++) {
    await fetch(`${g.url}/async-function/hello`, {
      method: 'POST',
      body: JSON.stringify({ order: 1000 + i }),
    })
  }
  for (let i = 0; i < 3; i++) {
    await fetch(`${g.url}/async-function/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'sensor.reading', id: 7000 + i, celsius: 21.5 + i }),
    })
  }
  await pollUntil(
    'the failing calls to be dead-lettered',
    async () => {
      const res = await api('GET', '/system/dead-letters?limit=10')
      return ((await res.json()) as { items: unknown[] }).items.length >= 3
    },
    60_000,
  )
  await pollUntil(
    'us-east to be seen down',
    async () => {
      const backends = (await (await api('GET', '/system/backends')).json()) as Array<{
        name: string
        health: { reachable: boolean | null }
      }>
      return backends.find((b) => b.name === 'us-east')?.health.reachable === false
    },
    60_000,
  )
}

async function firstDeadLetter(g: TestGateway): Promise<string> {
  const res = await fetch(`${g.url}/system/dead-letters?limit=1`, {
    headers: { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` },
  })
  const page = (await res.json()) as { items: Array<{ id: string }> }
  const id = page.items[0]?.id
  if (!id) throw new Error('no dead letter to show')
  return id
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
