/**
 * @module
 * The QueueDriver contract, run against every driver and backing store (embedded over SQLite, PostgreSQL
 * and D1 so far). It imports nothing but vitest and the queue types, because the workerd run has no
 * `node:` modules. Every test uses its own queue names, so all runs can share one backing store.
 *
 * Timing: leases and delays are a few hundred milliseconds, and every wait is a `receive` with a
 * generous `waitMs` (a poll with a deadline), so slow machines slow the suite down instead of failing it.
 *
 * Visibility: an enqueued message must become receivable, not necessarily at once. Push-based queues
 * (Cloudflare Queues hands batches to the Worker after `max_batch_timeout`) deliver it a little later, so
 * where a test expects messages it waits for them (`takeN`); where it expects none, it asks without waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../../src/queue/types.ts'

export interface OpenedTestQueue {
  queue: QueueDriver
  close(): Promise<void>
}

/** Short enough for a fast suite, long enough that a busy machine does not lose leases by accident. */
const LEASE_MS = 300
const DELAY_MS = 300
/** The longest any single wait may take before the test fails. */
const PATIENCE_MS = 10_000
/** Timers may fire a little early relative to `Date.now()`; lower bounds on elapsed time allow for it. */
const SLACK_MS = 50

/** Every byte value, so a body that is not valid UTF-8 must survive the trip. */
const BINARY = btoa(String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)))
const UNICODE = btoa(String.fromCharCode(...new TextEncoder().encode('héllo wörld 🚀 日本語')))

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A CallRecord for queue tests: a POST to `echo` with no body; `over` replaces any field. */
export function testCallRecord(queue: string, over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: `call-${Math.random().toString(36).slice(2, 10)}`,
    queue,
    namespace: 'openfaas-fn',
    function: 'echo',
    method: 'POST',
    path: '/',
    query: '',
    headers: [['content-type', 'application/octet-stream']],
    body: '',
    callbackUrl: null,
    enqueuedAt: Date.now(),
    ...over,
  }
}

export function runQueueSuite(label: string, open: () => Promise<OpenedTestQueue>): void {
  describe(`Queue conformance: ${label}`, () => {
    let opened: OpenedTestQueue
    let queue: QueueDriver
    const run = Math.random().toString(36).slice(2, 8)
    let counter = 0
    const unique = (kind: string) => `${kind}-${run}-${++counter}`

    const call = (queueName: string, over: Partial<CallRecord> = {}): CallRecord =>
      testCallRecord(queueName, { id: unique('call'), ...over })

    const take = (q: string, over: Partial<ReceiveOptions> = {}) =>
      queue.receive(q, { max: 10, leaseMs: 30_000, waitMs: 0, ...over })

    /** Waits (a receive with a deadline) until exactly one message of `q` is available, and takes it. */
    const takeOne = async (q: string, over: Partial<ReceiveOptions> = {}): Promise<QueueMessage> => {
      const messages = await take(q, { waitMs: PATIENCE_MS, ...over })
      expect(messages).toHaveLength(1)
      return messages[0]!
    }

    /** Receives (each receive at most `max`) until `n` messages of `q` are in hand; fails after patience. */
    const takeN = async (
      q: string,
      n: number,
      over: Partial<ReceiveOptions> = {},
    ): Promise<QueueMessage[]> => {
      const got: QueueMessage[] = []
      const deadline = Date.now() + PATIENCE_MS
      while (got.length < n && Date.now() < deadline) {
        const max = over.max ?? 10
        const messages = await take(q, {
          waitMs: deadline - Date.now(),
          ...over,
          max: Math.min(max, n - got.length),
        })
        expect(messages.length).toBeLessThanOrEqual(max)
        got.push(...messages)
      }
      expect(got).toHaveLength(n)
      return got
    }

    beforeAll(async () => {
      opened = await open()
      queue = opened.queue
    })

    afterAll(async () => {
      await opened?.close()
    })

    it('names its kind', () => {
      expect(queue.kind).toMatch(/^[a-z][a-z0-9-]*$/)
    })

    it('returns the enqueued record intact', async () => {
      const q = unique('q')
      const id = unique('call')
      const record = call(q, {
        id,
        method: 'PUT',
        path: '/sub/päth',
        query: 'a=1&b=%C3%BC&a=2',
        // Order and repeated names matter: they are replayed to the function as sent.
        headers: [
          ['x-call-id', id],
          ['content-type', 'application/octet-stream'],
          ['x-b', '2'],
          ['x-a', 'ünïcödé ✓'],
          ['x-b', '1'],
        ],
        body: BINARY,
        callbackUrl: null,
      })
      await queue.enqueue(record)

      const [message] = await takeN(q, 1)
      expect(message).toBeDefined()
      expect(message!.record).toEqual(record)
      expect(message!.record.headers.map(([name]) => name)).toEqual([
        'x-call-id',
        'content-type',
        'x-b',
        'x-a',
        'x-b',
      ])
      expect(message!.deliveryCount).toBe(1)
      expect(typeof message!.receipt).toBe('string')
      await queue.ack(message!)
    })

    it('keeps unicode bodies, empty bodies and callback URLs', async () => {
      const q = unique('q')
      const withBody = call(q, { body: UNICODE, callbackUrl: 'https://hooks.example/cb?x=1' })
      const empty = call(q, { body: '', headers: [] })
      await queue.enqueue(withBody)
      await queue.enqueue(empty)

      const messages = await takeN(q, 2)
      const byId = new Map(messages.map((m) => [m.record.id, m.record]))
      expect(byId.get(withBody.id)).toEqual(withBody)
      expect(byId.get(empty.id)).toEqual(empty)
      expect(messages).toHaveLength(2)
      for (const m of messages) await queue.ack(m)
    })

    it('returns at most `max` messages', async () => {
      const q = unique('q')
      for (let i = 0; i < 5; i++) await queue.enqueue(call(q))
      // However they arrive, no receive returns more than it was asked for.
      const first = await takeN(q, 2, { max: 2 })
      const rest = await takeN(q, 3, { max: 10 })
      expect(await take(q)).toEqual([])
      const ids = [...first, ...rest].map((m) => m.record.id)
      expect(new Set(ids).size).toBe(5)
      for (const m of [...first, ...rest]) await queue.ack(m)
    })

    it('answers an empty queue at once when not asked to wait', async () => {
      const started = Date.now()
      expect(await take(unique('q'))).toEqual([])
      expect(Date.now() - started).toBeLessThan(1_000)
    })

    it('waits up to waitMs on an empty queue', async () => {
      const started = Date.now()
      expect(await take(unique('q'), { waitMs: 300 })).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(300 - SLACK_MS)
    })

    it('hands over a message enqueued while waiting', async () => {
      const q = unique('q')
      const record = call(q)
      const started = Date.now()
      const waiting = take(q, { waitMs: PATIENCE_MS })
      await delay(150)
      await queue.enqueue(record)
      const messages = await waiting
      expect(messages.map((m) => m.record)).toEqual([record])
      expect(Date.now() - started).toBeLessThan(PATIENCE_MS)
      await queue.ack(messages[0]!)
    })

    it('keeps queues apart', async () => {
      const [q1, q2] = [unique('q'), unique('q')]
      const record = call(q1)
      await queue.enqueue(record)
      expect(await take(q2)).toEqual([])
      expect(await queue.depth(q2)).toBe(0)
      const message = await takeOne(q1)
      expect(message.record).toEqual(record)
      await queue.ack(message)
    })

    it('removes an acked message for good', async () => {
      const q = unique('q')
      await queue.enqueue(call(q))
      const message = await takeOne(q, { leaseMs: LEASE_MS })
      await queue.ack(message)
      expect(await queue.depth(q)).toBe(0)
      // Well past the lease: an acked message must not come back.
      expect(await take(q, { waitMs: LEASE_MS * 3 })).toEqual([])
    })

    it('hides a retried message until its delay has passed, then counts a second delivery', async () => {
      const q = unique('q')
      const record = call(q)
      await queue.enqueue(record)
      const first = await takeOne(q)
      expect(first.deliveryCount).toBe(1)

      const retriedAt = Date.now()
      await queue.retry(first, DELAY_MS)
      expect(await take(q)).toEqual([])

      const second = await takeOne(q)
      expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(DELAY_MS - SLACK_MS)
      expect(second.record).toEqual(record)
      expect(second.deliveryCount).toBe(2)
      await queue.ack(second)
      expect(await queue.depth(q)).toBe(0)
    })

    it('makes a message available again right away when retried without delay', async () => {
      const q = unique('q')
      await queue.enqueue(call(q))
      const first = await takeOne(q)
      await queue.retry(first, 0)
      const second = await takeOne(q)
      expect(second.deliveryCount).toBe(2)
      await queue.ack(second)
    })

    it('redelivers a message whose lease ended without ack', async () => {
      const q = unique('q')
      const record = call(q)
      await queue.enqueue(record)
      const leasedAt = Date.now()
      const first = await takeOne(q, { leaseMs: LEASE_MS })
      expect(first.deliveryCount).toBe(1)
      expect(await take(q)).toEqual([])

      const second = await takeOne(q, { leaseMs: LEASE_MS })
      expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(LEASE_MS - SLACK_MS)
      expect(second.record).toEqual(record)
      expect(second.deliveryCount).toBe(2)

      const third = await takeOne(q)
      expect(third.deliveryCount).toBe(3)
      await queue.ack(third)
      expect(await queue.depth(q)).toBe(0)
    })

    it('keeps an extended lease past its original end', async () => {
      const q = unique('q')
      await queue.enqueue(call(q))
      const message = await takeOne(q, { leaseMs: LEASE_MS })
      await queue.extend(message, PATIENCE_MS)
      // Waits well past the original lease: the message must stay with its holder.
      expect(await take(q, { waitMs: LEASE_MS * 3 })).toEqual([])
      expect(await queue.depth(q)).toBe(1)
      await queue.ack(message)
      expect(await queue.depth(q)).toBe(0)
    })

    it('never gives one message to two concurrent receivers', async () => {
      const q = unique('q')
      const total = 50
      await Promise.all(Array.from({ length: total }, () => queue.enqueue(call(q))))
      const received: string[] = []
      const deadline = Date.now() + PATIENCE_MS
      const receiver = async () => {
        while (received.length < total && Date.now() < deadline) {
          const messages = await take(q, { max: 5, waitMs: 100 })
          for (const m of messages) {
            received.push(m.record.id)
            await queue.ack(m)
          }
        }
      }
      await Promise.all([receiver(), receiver()])
      expect(received).toHaveLength(total)
      expect(new Set(received).size).toBe(total)
      expect(await queue.depth(q)).toBe(0)
    })

    it('counts available, delayed and leased messages in depth until acked', async () => {
      const q = unique('q')
      expect(await queue.depth(q)).toBe(0)
      for (let i = 0; i < 3; i++) await queue.enqueue(call(q))
      expect(await queue.depth(q)).toBe(3)

      const [leased] = await takeN(q, 1, { max: 1 })
      expect(await queue.depth(q)).toBe(3)
      await queue.retry(leased!, PATIENCE_MS)
      expect(await queue.depth(q)).toBe(3)

      const rest = await takeN(q, 2)
      await queue.ack(rest[0]!)
      expect(await queue.depth(q)).toBe(2)
      await queue.ack(rest[1]!)
      expect(await queue.depth(q)).toBe(1)
    })
  })
}
