/**
 * A cron function with a seconds schedule on two gateways sharing one PostgreSQL store: it runs at each
 * scheduled second, on time, and exactly once per instant (the lease picks one scheduler; the claim of
 * each instant in the store keeps a second one from running it again).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'
import { createRecordingProvider, type RecordingProvider } from '../harness/recording-provider.ts'

let pg: PostgresServer
let a: TestGateway
let b: TestGateway
const recA: RecordingProvider = createRecordingProvider()
const recB: RecordingProvider = createRecordingProvider()

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
  const shared = { EDGEFAAS_DATABASE_URL: pg.url, EDGEFAAS_QUEUE_LEASE_MS: '5000' }
  a = await startTestGateway(shared, { providers: { rec: recA } })
  b = await startTestGateway(shared, { providers: { rec: recB } })
}, 60_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await pg?.stop()
})

it('runs every second, on time, once per instant across two gateways', async () => {
  const deployed = await api(a, 'POST', '/system/functions', {
    service: 'ticker',
    image: 'x',
    annotations: { topic: 'cron-function', schedule: '* * * * * *', 'edgefaas.dev/backends': 'rec' },
  })
  expect(deployed.status).toBe(202)
  const runs = () => [...recA.invocations, ...recB.invocations].filter((i) => i.name === 'ticker')
  await pollUntil('eight scheduled runs', async () => runs().length >= 8, 30_000, 100)
  // Let a few more instants pass, then stop scheduling and compare.
  await pollUntil('four more runs', async () => runs().length >= 12, 30_000, 100)
  await api(a, 'DELETE', '/system/functions', { functionName: 'ticker' })

  const instants = runs().map((r) => r.headers['x-scheduled-time'] ?? '')
  expect(new Set(instants).size).toBe(instants.length)
  for (const run of runs()) {
    const scheduled = Date.parse(run.headers['x-scheduled-time'] ?? '')
    expect(scheduled % 1000).toBe(0)
    // On time: the call reaches the function within a couple of seconds of its instant (a shared
    // 2-core machine; the worker polls the embedded queue).
    expect(run.at - scheduled).toBeGreaterThanOrEqual(0)
    expect(run.at - scheduled).toBeLessThan(5000)
    expect(run.headers['x-topic']).toBe('cron-function')
  }
  // Consecutive instants: no second skipped between the first and the last run seen.
  const sorted = instants.map((i) => Date.parse(i)).sort((x, y) => x - y)
  const first = sorted[0] ?? 0
  const last = sorted.at(-1) ?? 0
  expect(sorted.length).toBe((last - first) / 1000 + 1)

  const lateness = runs().map((r) => r.at - Date.parse(r.headers['x-scheduled-time'] ?? ''))
  console.log(
    `cron: ${runs().length} runs, lateness ms (instant → function) median ${lateness.sort((x, y) => x - y)[Math.floor(lateness.length / 2)]}, max ${Math.max(...lateness)}`,
  )
}, 90_000)

it('exactly one of the two gateways is the scheduler, and both list the subscription', async () => {
  const deployed = await api(b, 'POST', '/system/functions', {
    service: 'minutely',
    image: 'x',
    annotations: { topic: 'cron-function', schedule: '*/5 * * * *', 'edgefaas.dev/backends': 'rec' },
  })
  expect(deployed.status).toBe(202)
  type Listed = Array<{ function: string; scheduler: boolean; nextRun: string }>
  const views = async () =>
    await Promise.all(
      [a, b].map(async (g) => (await (await api(g, 'GET', '/system/triggers')).json()) as Listed),
    )
  await pollUntil(
    'both gateways to list the subscription',
    async () => (await views()).every((v) => v.some((t) => t.function === 'minutely')),
    15_000,
  )
  await pollUntil(
    'one scheduler',
    async () =>
      (await views()).filter((v) => v.find((t) => t.function === 'minutely')?.scheduler).length === 1,
    30_000,
  )
  const entry = (await views())[0]?.find((t) => t.function === 'minutely')
  expect(Date.parse(entry?.nextRun ?? '') % 300_000).toBe(0)
}, 90_000)
