/**
 * @module
 * The queue conformance suite on NATS JetStream (a real nats-server started for this file), plus what is
 * specific to this driver: per-message leases over a per-consumer ack wait, redelivery after a receiver
 * dies, receipts usable from another connection, publish deduplication, queue name encoding, payload
 * limits, and reconnecting after the server restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRecord, QueueDriver } from '../../src/queue/types.ts'
import { type OpenNatsOptions, openNatsQueue } from '../../src/runtime/node/open-nats.ts'
import { runQueueSuite, testCallRecord } from '../conformance/queue.suite.ts'
import { type NatsServer, startNats } from '../harness/nats.ts'

let server: NatsServer

beforeAll(async () => {
  server = await startNats()
})

afterAll(async () => {
  await server?.stop()
})

runQueueSuite('nats', async () => {
  const queue = await openNatsQueue(server.url)
  return { queue, close: () => queue.close() }
})

let ids = 0
const run = Math.random().toString(36).slice(2, 8)
const call = (queue: string, over: Partial<CallRecord> = {}): CallRecord =>
  testCallRecord(queue, { id: `call-${run}-${++ids}`, ...over })

describe('nats queue', () => {
  const opened: QueueDriver[] = []
  const open = async (options: Partial<OpenNatsOptions> = {}) => {
    const queue = await openNatsQueue(server.url, options)
    opened.push(queue)
    return queue
  }

  afterAll(async () => {
    await Promise.all(opened.map((q) => q.close()))
  })

  it('redelivers after the ack wait when the receiving process is gone', async () => {
    const q = `crash-${run}`
    const dying = await open({ ackWaitMs: 500 })
    const survivor = await open({ ackWaitMs: 500 })
    await survivor.enqueue(call(q))
    const [first] = await dying.receive(q, { max: 1, leaseMs: 60_000, waitMs: 5_000 })
    expect(first?.deliveryCount).toBe(1)
    const lostAt = Date.now()
    // Closing stops the lease keep-alive without acking, as a crash would.
    await dying.close()

    const [second] = await survivor.receive(q, { max: 1, leaseMs: 60_000, waitMs: 10_000 })
    expect(second?.record).toEqual(first?.record)
    expect(second?.deliveryCount).toBe(2)
    // Well before the 60 s lease: the ack wait bounds how long a dead holder keeps a message.
    expect(Date.now() - lostAt).toBeLessThan(5_000)
    await survivor.ack(second!)
  })

  it('keeps a lease longer than the ack wait, then lets the message go when it ends', async () => {
    const q = `long-lease-${run}`
    const holder = await open({ ackWaitMs: 300 })
    const other = await open({ ackWaitMs: 300 })
    await holder.enqueue(call(q))
    const leasedAt = Date.now()
    const [held] = await holder.receive(q, { max: 1, leaseMs: 1_500, waitMs: 5_000 })
    expect(held).toBeDefined()
    // Several ack waits pass while the holder's lease runs: nobody else gets the message.
    expect(await other.receive(q, { max: 1, leaseMs: 60_000, waitMs: 1_000 })).toEqual([])
    const [again] = await other.receive(q, { max: 1, leaseMs: 60_000, waitMs: 10_000 })
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(1_450)
    expect(again?.deliveryCount).toBe(2)
    await other.ack(again!)
  })

  it('takes receipts from another connection', async () => {
    const q = `receipts-${run}`
    const receiver = await open()
    const acker = await open()
    await receiver.enqueue(call(q))
    const [message] = await receiver.receive(q, { max: 1, leaseMs: 60_000, waitMs: 5_000 })
    await acker.ack(message!)
    expect(await receiver.depth(q)).toBe(0)
  })

  it('stores a call once when it is enqueued twice (Nats-Msg-Id)', async () => {
    const queue = await open()
    const q = `twice-${run}`
    const record = call(q)
    await queue.enqueue(record)
    await queue.enqueue(record)
    expect(await queue.depth(q)).toBe(1)
    const messages = await queue.receive(q, { max: 10, leaseMs: 60_000, waitMs: 0 })
    expect(messages.map((m) => m.record)).toEqual([record])
    await queue.ack(messages[0]!)
  })

  it('keeps queues whose names differ only in characters a stream name cannot hold apart', async () => {
    const queue = await open()
    const names = [`a.b-${run}`, `a_2eb-${run}`, `a b-${run}`, `ä>*-${run}`]
    for (const name of names) await queue.enqueue(call(name))
    for (const name of names) {
      const messages = await queue.receive(name, { max: 10, leaseMs: 60_000, waitMs: 0 })
      expect(messages.map((m) => m.record.queue)).toEqual([name])
      await queue.ack(messages[0]!)
    }
  })

  it('refuses a record over the server max_payload with an explanation', async () => {
    const queue = await open()
    const body = 'A'.repeat(1_100_000)
    await expect(queue.enqueue(call(`big-${run}`, { body }))).rejects.toThrow(/max_payload/)
  })

  it('rejects a receipt it did not make', async () => {
    const queue = await open()
    await expect(
      queue.ack({ record: call('x'), receipt: 'edgefaas.calls.x', deliveryCount: 1 }),
    ).rejects.toThrow(/not a receipt/)
  })

  it('stops waiting when the signal aborts, and on close', async () => {
    const queue = await open()
    const controller = new AbortController()
    const started = Date.now()
    const waiting = queue.receive(`abort-${run}`, {
      max: 1,
      leaseMs: 1_000,
      waitMs: 30_000,
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 50)
    expect(await waiting).toEqual([])
    const closing = queue.receive(`abort-${run}`, { max: 1, leaseMs: 1_000, waitMs: 30_000 })
    setTimeout(() => void queue.close(), 50)
    expect(await closing).toEqual([])
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(queue.enqueue(call(`abort-${run}`))).rejects.toThrow(/closed/)
  })
})

describe('nats queue across a server restart', () => {
  let own: NatsServer

  beforeAll(async () => {
    own = await startNats()
  })

  afterAll(async () => {
    await own?.stop()
  })

  it('reconnects, and keeps what was enqueued before the restart', async () => {
    const queue = await openNatsQueue(own.url, { connectOptions: { reconnectTimeWait: 100 } })
    try {
      const q = 'restart'
      const before = call(q)
      await queue.enqueue(before)
      await own.restart()
      const after = call(q)
      // Publishes wait for the reconnect (within the publish timeout) instead of failing.
      await queue.enqueue(after)
      const messages = await queue.receive(q, { max: 10, leaseMs: 60_000, waitMs: 5_000 })
      expect(messages.map((m) => m.record.id).sort()).toEqual([before.id, after.id].sort())
      for (const m of messages) await queue.ack(m)
      expect(await queue.depth(q)).toBe(0)
    } finally {
      await queue.close()
    }
  })
})
