/**
 * @module
 * The queue conformance suite on the embedded driver over SQLite (in memory and a temp file) and over a
 * real PostgreSQL, plus what is specific to this driver: stale receipts, several gateways sharing one
 * store, abort and close. The driver-specific tests move a fake clock instead of waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmbeddedQueue } from '../../src/queue/embedded/driver.ts'
import type { CallRecord, QueueDriver } from '../../src/queue/types.ts'
import { type OpenedStore, openStore } from '../../src/runtime/node/open-store.ts'
import { runQueueSuite, testCallRecord } from '../conformance/queue.suite.ts'
import { type PostgresServer, startPostgres } from '../harness/postgres.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgefaas-queue-'))
let server: PostgresServer | undefined

beforeAll(async () => {
  server = await startPostgres()
})

afterAll(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** The embedded queue over a store opened from `url`; closing closes both. */
async function embeddedOver(url: string): Promise<{ queue: QueueDriver; close(): Promise<void> }> {
  const opened = await openStore(url, dir)
  const queue = createEmbeddedQueue(opened.store, { pollMs: 20 })
  return {
    queue,
    async close() {
      await queue.close()
      await opened.close()
    },
  }
}

runQueueSuite('embedded over sqlite :memory:', () => embeddedOver(':memory:'))
runQueueSuite('embedded over sqlite file', () => embeddedOver(join(dir, 'queue.db')))
runQueueSuite('embedded over postgres', () => embeddedOver(server!.url))

let ids = 0
const call = (queue: string): CallRecord =>
  testCallRecord(queue, { id: `call-${++ids}:with:colons`, headers: [] })

describe('embedded queue', () => {
  let opened: OpenedStore
  let t = Date.parse('2030-01-01T00:00:00.000Z')
  const clock = { now: () => new Date(t) }
  const advance = (ms: number) => {
    t += ms
  }

  beforeAll(async () => {
    opened = await openStore(':memory:', dir)
  })

  afterAll(async () => {
    await opened?.close()
  })

  it('ignores ack, retry and extend with a receipt whose lease was taken over', async () => {
    const queue = createEmbeddedQueue(opened.store, clock)
    const q = 'stale'
    const record = call(q)
    await queue.enqueue(record)
    const [old] = await queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 0 })
    advance(1_000)
    const [current] = await queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 0 })
    expect(current).toMatchObject({ record, deliveryCount: 2 })
    expect(current!.receipt).not.toBe(old!.receipt)

    // None of these throw, and none touches the current lease.
    await queue.ack(old!)
    await queue.retry(old!, 0)
    await queue.extend(old!, 60_000)
    expect(await queue.depth(q)).toBe(1)
    advance(999)
    expect(await queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 0 })).toEqual([])

    // The current lease ends when it was meant to, not when the stale extend said.
    advance(1)
    const [next] = await queue.receive(q, { max: 1, leaseMs: 1_000, waitMs: 0 })
    expect(next).toMatchObject({ record, deliveryCount: 3 })
    await queue.ack(current!)
    expect(await queue.depth(q)).toBe(1)
    await queue.ack(next!)
    expect(await queue.depth(q)).toBe(0)
  })

  it('takes the delay of a retry from its clock', async () => {
    const queue = createEmbeddedQueue(opened.store, clock)
    const q = 'clocked'
    await queue.enqueue(call(q))
    const [first] = await queue.receive(q, { max: 1, leaseMs: 60_000, waitMs: 0 })
    await queue.retry(first!, 5_000)
    advance(4_999)
    expect(await queue.receive(q, { max: 1, leaseMs: 60_000, waitMs: 0 })).toEqual([])
    advance(1)
    const [second] = await queue.receive(q, { max: 1, leaseMs: 60_000, waitMs: 0 })
    expect(second!.deliveryCount).toBe(2)
    await queue.ack(second!)
  })

  it('keeps one message when the same call is enqueued twice', async () => {
    const queue = createEmbeddedQueue(opened.store)
    const record = call('twice')
    await queue.enqueue(record)
    await queue.enqueue({ ...record, body: 'b3RoZXI=' })
    expect(await queue.depth('twice')).toBe(1)
    const messages = await queue.receive('twice', { max: 10, leaseMs: 1_000, waitMs: 0 })
    expect(messages.map((m) => m.record)).toEqual([record])
    await queue.ack(messages[0]!)
  })

  it('rejects a receipt it did not make', async () => {
    const queue = createEmbeddedQueue(opened.store)
    const message = { record: call('x'), receipt: 'no-colon', deliveryCount: 1 }
    await expect(queue.ack(message)).rejects.toThrow(/Not a receipt of the embedded queue/)
  })

  it('wakes a waiting receive when this driver enqueues, without waiting for the next poll', async () => {
    // A poll far longer than the test's own timeout: only the in-process wake-up can make it pass.
    const queue = createEmbeddedQueue(opened.store, { pollMs: 600_000 })
    const waiting = queue.receive('woken', { max: 5, leaseMs: 60_000, waitMs: 600_000 })
    setTimeout(() => void queue.enqueue(testCallRecord('woken', { id: 'woken-1', headers: [] })), 50)
    const messages = await waiting
    expect(messages.map((m) => m.record.id)).toEqual(['woken-1'])
    await queue.ack(messages[0]!)
  })

  it('stops waiting when the signal aborts', async () => {
    const queue = createEmbeddedQueue(opened.store, { pollMs: 20 })
    const controller = new AbortController()
    const started = Date.now()
    const waiting = queue.receive('aborted', {
      max: 1,
      leaseMs: 1_000,
      waitMs: 30_000,
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 50)
    expect(await waiting).toEqual([])
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('ends waiting receives on close and refuses new work after it', async () => {
    const queue = createEmbeddedQueue(opened.store, { pollMs: 20 })
    const started = Date.now()
    const waiting = queue.receive('closing', { max: 1, leaseMs: 1_000, waitMs: 30_000 })
    setTimeout(() => void queue.close(), 50)
    expect(await waiting).toEqual([])
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(queue.enqueue(call('closing'))).rejects.toThrow(/closed/)
    await expect(queue.receive('closing', { max: 1, leaseMs: 1, waitMs: 0 })).rejects.toThrow(/closed/)
  })
})

describe('embedded queue shared by several gateways', () => {
  // Separate store connections, as separate gateway processes would have.
  for (const [label, url] of [
    ['sqlite file', () => join(dir, 'shared.db')],
    ['postgres', () => server!.url],
  ] as const) {
    it(`never leases one message twice across connections (${label})`, async () => {
      // Opened one after another: in one thread, a second SQLite open blocks synchronously on the
      // migration lock the first holds across an await.
      const gateways: OpenedStore[] = []
      for (let i = 0; i < 3; i++) gateways.push(await openStore(url(), dir))
      try {
        const queues = gateways.map((g) => createEmbeddedQueue(g.store, { pollMs: 10 }))
        const q = `shared-${label}`
        const total = 90
        await Promise.all(Array.from({ length: total }, (_, i) => queues[i % 3]!.enqueue(call(q))))
        const received: string[] = []
        const deadline = Date.now() + 15_000
        await Promise.all(
          queues.flatMap((queue) =>
            [1, 2].map(async () => {
              while (received.length < total && Date.now() < deadline) {
                const messages = await queue.receive(q, { max: 4, leaseMs: 60_000, waitMs: 50 })
                for (const m of messages) received.push(m.record.id)
                await Promise.all(messages.map((m) => queue.ack(m)))
              }
            }),
          ),
        )
        expect(received).toHaveLength(total)
        expect(new Set(received).size).toBe(total)
        expect(await queues[0]!.depth(q)).toBe(0)
      } finally {
        await Promise.all(gateways.map((g) => g.close()))
      }
    })
  }
})
