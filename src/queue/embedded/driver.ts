/**
 * @module
 * The embedded queue: a `queue_messages` table in the gateway's own store (SQLite file, PostgreSQL or D1),
 * so `npm start` needs no message broker. Several gateways sharing a PostgreSQL or D1 store can all
 * consume: leasing is one atomic statement per dialect (see `Store.queueLease`).
 *
 * A receipt is `<call id>:<lease token>`, with a fresh random token for every `receive` that leases. The
 * token is what tells the current holder from a worker whose lease ran out and was taken over.
 *
 * Stale receipts return silently: `ack`, `retry` and `extend` with a receipt whose lease was lost change
 * nothing (the new holder is unaffected) and do not throw. The late worker cannot undo its invocation, and
 * an error would only make it treat a finished call as failed; the message is the new holder's now, and
 * delivery is at least once anyway. Only a receipt this driver never made throws.
 *
 * A waiting `receive` polls every `pollMs` for messages other gateways (or processes) enqueued, and is woken
 * at once by an `enqueue` through this same driver: with the worker in the gateway's own process, a call
 * starts without waiting for the next poll.
 *
 * Lease and delay times come from the gateway's clock (`now`), so gateways sharing a store need clocks
 * in sync to well under the lease length.
 */
import type { Store } from '../../store/types.ts'
import { sleep } from '../sleep.ts'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../types.ts'

export interface EmbeddedQueueOptions {
  /** How often a waiting `receive` looks again; default 100 ms. */
  pollMs?: number
  /** The clock for availability and lease times (tests move it); waiting always uses real time. */
  now?: () => Date
}

const DEFAULT_POLL_MS = 100

/** `<id>:<token>`: ids may contain `:`, tokens (UUIDs) never do, so the last colon splits them. */
function parseReceipt(receipt: string): { id: string; token: string } {
  const at = receipt.lastIndexOf(':')
  if (at <= 0 || at === receipt.length - 1) {
    throw new Error('Not a receipt of the embedded queue')
  }
  return { id: receipt.slice(0, at), token: receipt.slice(at + 1) }
}

export function createEmbeddedQueue(store: Store, options: EmbeddedQueueOptions = {}): QueueDriver {
  const pollMs = Math.max(1, options.pollMs ?? DEFAULT_POLL_MS)
  const now = options.now ?? (() => new Date())
  // Aborted by close(), so a receive waiting for messages returns instead of holding shutdown up.
  const closing = new AbortController()

  // One controller per waiting receive; an enqueue aborts them all so each leases again right away.
  const waiting = new Set<AbortController>()
  const wakeWaiting = () => {
    for (const wake of waiting) wake.abort()
    waiting.clear()
  }

  const assertOpen = () => {
    if (closing.signal.aborted) throw new Error('The embedded queue is closed')
  }

  const lease = async (queue: string, max: number, leaseMs: number): Promise<QueueMessage[]> => {
    const token = crypto.randomUUID()
    const t = now()
    const leased = await store.queueLease(queue, max, token, new Date(t.getTime() + leaseMs), t)
    return leased.map((m) => ({
      record: m.record,
      receipt: `${m.record.id}:${m.leaseToken}`,
      deliveryCount: m.deliveryCount,
    }))
  }

  return {
    kind: 'embedded',

    async enqueue(record: CallRecord): Promise<void> {
      assertOpen()
      // A second enqueue of the same call id is a no-op: the id is the call's idempotency key.
      await store.queueInsert(record, now())
      wakeWaiting()
    },

    async receive(queue: string, opts: ReceiveOptions): Promise<QueueMessage[]> {
      assertOpen()
      const max = Math.floor(opts.max)
      if (max < 1) return []
      const signal = opts.signal ? AbortSignal.any([opts.signal, closing.signal]) : closing.signal
      const deadline = Date.now() + Math.max(0, opts.waitMs)
      for (;;) {
        if (signal.aborted) return []
        const messages = await lease(queue, max, opts.leaseMs)
        const left = deadline - Date.now()
        if (messages.length > 0 || left <= 0) return messages
        const wake = new AbortController()
        waiting.add(wake)
        await sleep(Math.min(pollMs, left), AbortSignal.any([signal, wake.signal]))
        waiting.delete(wake)
      }
    },

    async ack(message: QueueMessage): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      await store.queueAck(id, token)
    },

    async retry(message: QueueMessage, delayMs: number): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      await store.queueRetry(id, token, new Date(now().getTime() + Math.max(0, delayMs)))
    },

    async extend(message: QueueMessage, leaseMs: number): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      await store.queueExtend(id, token, new Date(now().getTime() + leaseMs))
    },

    async depth(queue: string): Promise<number> {
      return await store.queueDepth(queue)
    },

    async close(): Promise<void> {
      // Stops intake only (enqueue, receive): in-flight calls may still ack, retry or extend while the
      // worker drains. The store belongs to whoever opened it and outlives the queue.
      closing.abort()
    },
  }
}
