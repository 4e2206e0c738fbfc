/**
 * The claim of each cron instant in the store, without the lease: two schedulers that both believe they
 * hold the lease (a handover, a paused holder waking up) evaluate the same instants on one PostgreSQL
 * store, and each instant becomes exactly one queued call.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEmbeddedQueue } from '../../src/queue/embedded/driver.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { createCronSource } from '../../src/triggers/cron/source.ts'
import { deliverEvent } from '../../src/triggers/deliver.ts'
import type { DeliveryOutcome, Subscription, TriggerContext } from '../../src/triggers/types.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

let pg: PostgresServer
let store: Store
let closeStore: () => Promise<void>
let dir: string

beforeAll(async () => {
  pg = await startPostgres()
  dir = await mkdtemp(join(tmpdir(), 'edgefaas-cron-'))
  ;({ store, close: closeStore } = await openStore(pg.url, dir))
}, 60_000)
afterAll(async () => {
  await closeStore?.()
  await pg?.stop()
  await rm(dir, { recursive: true, force: true })
})

it('two schedulers holding the lease at once run each instant once', async () => {
  const queue = createEmbeddedQueue(store)
  const outcomes: DeliveryOutcome[] = []
  const context: TriggerContext = {
    async deliver(subscription, event) {
      const outcome = await deliverEvent(store, queue, subscription, event)
      outcomes.push(outcome)
      return outcome
    },
    reportError(_source, _topic, error) {
      throw error
    },
  }
  const alwaysHeld = { tryAcquireLease: async () => true, releaseLease: async () => undefined }
  const one = createCronSource({ store: alwaysHeld, context, instanceId: 'one', catchUpMs: 60_000 })
  const two = createCronSource({ store: alwaysHeld, context, instanceId: 'two', catchUpMs: 60_000 })
  const now = Date.parse('2030-01-01T00:01:00.500Z')
  const subscription: Subscription = {
    source: 'cron',
    topic: 'cron-function',
    namespace: 'openfaas-fn',
    function: 'ticker',
    annotations: { topic: 'cron-function', schedule: '*/5 * * * * *' },
    since: now - 60_000,
  }
  await one.sync([subscription])
  await two.sync([subscription])
  const runDue = (source: typeof one, at: number) => source.runDue?.(at)
  await Promise.all([runDue(one, now), runDue(two, now), runDue(one, now + 1), runDue(two, now + 2)])

  // 00:00:00.5 … 00:01:00.5 holds the instants 00:00:05 … 00:01:00: twelve.
  expect(outcomes.filter((o) => o === 'enqueued')).toHaveLength(12)
  expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(12)
  expect(await queue.depth('default')).toBe(12)
  await queue.close()
})
