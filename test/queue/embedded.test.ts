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

describe('embedded queue polling while idle', () => {
  let opened: OpenedStore
  let leases = 0

  beforeAll(async () => {
    opened = await openStore(':memory:', dir)
    // Counts the lease statements, the poll's cost, as they reach the store.
    const lease = opened.store.queueLease.bind(opened.store)
    opened.store.queueLease = (...args) => {
      leases++
      return lease(...args)
    }
  })
  afterAll(() => opened.close())

  it('backs off while a queue stays empty, from pollMs up to idlePollMs', async () => {
    const queue = createEmbeddedQueue(opened.store, { pollMs: 20, idlePollMs: 160 })
    leases = 0
    // 1.2 s of waiting on an empty queue: every 20 ms would be 60 looks; 20, 40, 80, then every 160 ms
    // is about 10.
    const started = Date.now()
    while (Date.now() - started < 1_200) {
      expect(await queue.receive('idle-backoff', { max: 1, leaseMs: 1_000, waitMs: 300 })).toEqual([])
    }
    expect(leases).toBeGreaterThanOrEqual(5)
    expect(leases).toBeLessThanOrEqual(14)
    await queue.close()
  })

  it('a receive that may not wait looks at once, backoff or not', async () => {
    const queue = createEmbeddedQueue(opened.store, { pollMs: 20, idlePollMs: 600_000 })
    expect(await queue.receive('no-wait', { max: 1, leaseMs: 1_000, waitMs: 50 })).toEqual([])
    leases = 0
    expect(await queue.receive('no-wait', { max: 1, leaseMs: 1_000, waitMs: 0 })).toEqual([])
    expect(leases).toBe(1)
    await queue.close()
  })

  it('a delayed retry is leased again when its delay is over, not at the backed-off poll', async () => {
    // A poll far longer than the test's timeout: only the retry's own wake-up can make it pass.
    const queue = createEmbeddedQueue(opened.store, { pollMs: 600_000 })
    await queue.enqueue(call('retry-wake'))
    const [first] = await queue.receive('retry-wake', { max: 1, leaseMs: 60_000, waitMs: 0 })
    expect(first).toBeDefined()
    // The queue is found empty: the next look is 10 minutes away.
    expect(await queue.receive('retry-wake', { max: 1, leaseMs: 60_000, waitMs: 200 })).toEqual([])
    await queue.retry(first!, 150)
    const started = Date.now()
    const [again] = await queue.receive('retry-wake', { max: 1, leaseMs: 60_000, waitMs: 600_000 })
    expect(again?.record.id).toBe(first!.record.id)
    expect(Date.now() - started).toBeLessThan(5_000)
    await queue.ack(again!)
    await queue.close()
  })

  it("sees another driver's enqueue within idlePollMs after a quiet spell", async () => {
    const file = join(dir, 'idle-shared.db')
    const producerStore = await openStore(file, dir)
    const consumerStore = await openStore(file, dir)
    const producer = createEmbeddedQueue(producerStore.store)
    const consumer = createEmbeddedQueue(consumerStore.store, { pollMs: 20, idlePollMs: 300 })
    try {
      const waiting = consumer.receive('cross', { max: 1, leaseMs: 60_000, waitMs: 10_000 })
      // Long enough for the consumer to reach its ceiling (20, 40, 80, 160, 300 ms).
      await new Promise((resolve) => setTimeout(resolve, 800))
      const enqueued = Date.now()
      await producer.enqueue(call('cross'))
      const [message] = await waiting
      expect(message).toBeDefined()
      // At most one backoff period and a lease; generous for a loaded machine.
      expect(Date.now() - enqueued).toBeLessThan(300 + 1_500)
      await consumer.ack(message!)
    } finally {
      await Promise.all([producer.close(), consumer.close()])
      await Promise.all([producerStore.close(), consumerStore.close()])
    }
  })
})
