/**
 * Cron across a crash: the scheduling gateway (a real process) is SIGKILLed; another gateway on the same
 * PostgreSQL store takes the lease once it expires and runs the instants of the handover it finds
 * unclaimed, so every second runs exactly once: none skipped, none twice.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'
import { createRecordingProvider } from '../harness/recording-provider.ts'

let pg: PostgresServer
let runner: TestGateway
let standby: TestGateway | undefined
let scheduler: GatewayProcess | undefined
let dataDir: string
const rec = createRecordingProvider()

beforeAll(async () => {
  pg = await startPostgres()
  dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-cron-kill-'))
}, 60_000)
afterAll(async () => {
  await scheduler?.stop('SIGKILL')
  await standby?.close()
  await runner?.close()
  await pg?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

it('the standby takes over after a SIGKILL with no second skipped or doubled', async () => {
  const store = { EDGEFAAS_DATABASE_URL: pg.url }
  // Runs the calls; schedules nothing.
  runner = await startTestGateway({ ...store, EDGEFAAS_TRIGGERS: 'false' }, { providers: { rec } })
  const deployed = await fetch(`${runner.url}/system/functions`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${runner.user}:${runner.password}`)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      service: 'ticker',
      image: 'x',
      annotations: { topic: 'cron-function', schedule: '* * * * * *', 'edgefaas.dev/backends': 'rec' },
    }),
  })
  expect(deployed.status).toBe(202)
  const instants = () =>
    rec.invocations
      .filter((i) => i.name === 'ticker')
      .map((i) => Date.parse(i.headers['x-scheduled-time'] ?? ''))

  scheduler = await startGatewayProcess({
    ...store,
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: 'cron-kill-password',
    EDGEFAAS_WORKER: 'false',
  })
  await pollUntil('the process to schedule three runs', async () => instants().length >= 3, 30_000, 100)
  // The standby starts while the process holds the lease: it waits.
  standby = await startTestGateway({ ...store, EDGEFAAS_WORKER: 'false' })
  await pollUntil('two more runs', async () => instants().length >= 5, 30_000, 100)
  await scheduler.stop('SIGKILL')
  const killedAt = Date.now()

  await pollUntil(
    'the standby to schedule runs after the lease expired',
    async () => instants().some((t) => t > killedAt + 3000),
    60_000,
    200,
  )
  // Calls the standby queued for the handover may still be on their way to the function.
  const span = () => {
    const seen = instants().sort((x, y) => x - y)
    return { seen, expected: ((seen.at(-1) ?? 0) - (seen[0] ?? 0)) / 1000 + 1 }
  }
  await pollUntil(
    'every second to have run',
    async () => span().seen.length >= span().expected,
    15_000,
    200,
  ).catch(() => undefined)
  const { seen, expected } = span()
  const missing = Array.from({ length: expected }, (_, i) => (seen[0] ?? 0) + i * 1000).filter(
    (t) => !seen.includes(t),
  )
  expect(
    missing.map((t) => new Date(t).toISOString()),
    `killed at ${new Date(killedAt).toISOString()}`,
  ).toEqual([])
  expect(new Set(seen).size).toBe(seen.length)
}, 120_000)
