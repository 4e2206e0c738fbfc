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
 * A waiting `receive` polls for messages other gateways (or processes) enqueued, and is woken at once by an
 * `enqueue` through this same driver: with the worker in the gateway's own process, a call starts without
 * waiting for the next poll. The poll backs off while a queue stays empty, from `pollMs` doubling up to
 * `idlePollMs`, and is back at `pollMs` once a lease finds work: an idle poll is a write statement, and at
 * ten a second it was most of an idle gateway's CPU. A retry with a delay wakes the waiting receives when
 * its delay is over, so backing off never holds back this driver's own calls; another process's enqueue
 * after a quiet spell waits at most `idlePollMs`.
 *
 * Lease and delay times come from the gateway's clock (`now`), so gateways sharing a store need clocks
 * in sync to well under the lease length.
 */
import type { Store } from '../../store/types.ts'
import { sleep } from '../sleep.ts'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../types.ts'

export interface EmbeddedQueueOptions {
  /** How often a waiting `receive` looks again while work is coming in; default 100 ms. */
  pollMs?: number
  /** The longest wait between looks at a queue that has stayed empty; default 10 × `pollMs`. */
  idlePollMs?: number
  /** The clock for availability and lease times (tests move it); waiting always uses real time. */
  now?: () => Date
}

const DEFAULT_POLL_MS = 100
/** Backoff ceiling for an empty queue, in multiples of `pollMs`: 1 s by default. */
const IDLE_POLL_FACTOR = 10

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
  const idlePollMs = Math.max(pollMs, options.idlePollMs ?? pollMs * IDLE_POLL_FACTOR)
  const now = options.now ?? (() => new Date())
  // Aborted by close(), so a receive waiting for messages returns instead of holding shutdown up.
  const closing = new AbortController()

  // Per queue that a lease found empty: how many times in a row, and when the next look is due.
  const idle = new Map<string, { emptyLeases: number; nextLeaseAt: number }>()
  // One controller per waiting receive; an enqueue aborts them all so each leases again right away.
  const waiting = new Set<AbortController>()
  const wakeWaiting = () => {
    idle.clear()
    for (const wake of waiting) wake.abort()
    waiting.clear()
  }
  const leasedEmpty = (queue: string) => {
    const emptyLeases = (idle.get(queue)?.emptyLeases ?? 0) + 1
    const backoff = Math.min(idlePollMs, pollMs * 2 ** Math.min(emptyLeases - 1, 20))
    idle.set(queue, { emptyLeases, nextLeaseAt: Date.now() + backoff })
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
        // A queue found empty is looked at again when its backoff is over; a receive that may not
        // wait (waitMs 0) always looks once.
        const due = opts.waitMs > 0 ? (idle.get(queue)?.nextLeaseAt ?? 0) : 0
        if (due > Date.now()) {
          if (Date.now() >= deadline) return []
          const wake = new AbortController()
          waiting.add(wake)
          await sleep(Math.min(due, deadline) - Date.now(), AbortSignal.any([signal, wake.signal]))
          waiting.delete(wake)
          continue
        }
        const messages = await lease(queue, max, opts.leaseMs)
        if (messages.length > 0) {
          idle.delete(queue)
          return messages
        }
        leasedEmpty(queue)
        if (Date.now() >= deadline) return []
      }
    },

    async ack(message: QueueMessage): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      await store.queueAck(id, token)
    },

    async retry(message: QueueMessage, delayMs: number): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      const delay = Math.max(0, delayMs)
      await store.queueRetry(id, token, new Date(now().getTime() + delay))
      // Due again after `delay`: waiting receives look then, whatever their backoff says.
      setTimeout(wakeWaiting, delay).unref?.()
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
