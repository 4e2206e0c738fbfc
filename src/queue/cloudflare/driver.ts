/**
 * @module
 * Cloudflare Queues as the async queue: `enqueue` sends to the producer binding from `fetch`; the Worker's
 * `queue()` handler puts each batch in the isolate's inbox (inbox.ts) and `receive` leases from there, so
 * the async worker runs unchanged. `retry(delay)` is `message.retry({ delaySeconds })` (Cloudflare's own
 * backoff, rounded up to whole seconds, at most 12 hours); `ack` is `message.ack()`.
 *
 * Depth: the binding tells none, so the store's queue ledger (src/store/queue-ledger) holds one row per
 * message from before it is sent until it is acked: two small D1 writes per call, and `depth` is exact.
 *
 * Claim check: a Cloudflare message holds at most 128 KB, so a call whose record is larger goes to the
 * store's payloads under its id and travels without its body; `ack` deletes the payload.
 *
 * Receipts are `<call id>:<lease token>`; as in the embedded queue, a stale receipt (its lease taken over,
 * or its batch released) changes nothing and does not throw.
 */
import type { Store } from '../../store/types.ts'
import type { CallRecord, QueueDriver, QueueMessage, ReceiveOptions } from '../types.ts'
import { type CallInbox, isolateInbox } from './inbox.ts'
import type { QueueProducer, WireMessage } from './types.ts'

/** Cloudflare's limit is 128 KB per message; this leaves room for the envelope and JSON escaping. */
export const MAX_INLINE_BYTES = 100 * 1024
/** Cloudflare Queues' longest retry delay. */
const MAX_DELAY_SECONDS = 12 * 60 * 60
/** How often a waiting `receive` looks at the inbox again (see inbox.ts on why it polls). */
const RECHECK_MS = 20

export interface CloudflareQueueOptions {
  producer: QueueProducer
  store: Pick<Store, 'ledgerAdd' | 'ledgerRemove' | 'ledgerDepth' | 'putPayload' | 'deletePayload'>
  /** The isolate's inbox by default; tests may bring their own. */
  inbox?: CallInbox
}

function parseReceipt(receipt: string): { id: string; token: string } {
  const at = receipt.lastIndexOf(':')
  if (at <= 0 || at === receipt.length - 1) throw new Error('Not a receipt of the Cloudflare Queues driver')
  return { id: receipt.slice(0, at), token: receipt.slice(at + 1) }
}

export function createCloudflareQueue(options: CloudflareQueueOptions): QueueDriver {
  const { producer, store } = options
  const inbox = options.inbox ?? isolateInbox
  const claims = new Set<string>()
  const closing = new AbortController()

  return {
    kind: 'cloudflare',

    async enqueue(record: CallRecord): Promise<void> {
      if (closing.signal.aborted) throw new Error('The Cloudflare Queues driver is closed')
      // Ledger first: depth may briefly count a message not sent yet, never miss one that was.
      const fresh = await store.ledgerAdd(record.id, record.queue, new Date())
      if (!fresh) return // the call id is the idempotency key, as in every driver
      let message: WireMessage = { v: 1, record }
      if (JSON.stringify(record).length > MAX_INLINE_BYTES) {
        await store.putPayload(record.id, record.body)
        message = { v: 1, record: { ...record, body: '' }, claim: true }
      }
      try {
        await producer.send(message, { contentType: 'json' })
      } catch (error) {
        await store.ledgerRemove(record.id).catch(() => undefined)
        throw error
      }
    },

    async receive(queue: string, opts: ReceiveOptions): Promise<QueueMessage[]> {
      const max = Math.floor(opts.max)
      if (max < 1 || closing.signal.aborted) return []
      const signal = opts.signal ? AbortSignal.any([opts.signal, closing.signal]) : closing.signal
      const deadline = Date.now() + Math.max(0, opts.waitMs)
      for (;;) {
        if (signal.aborted) return []
        const leases = inbox.take(queue, max, opts.leaseMs)
        const left = deadline - Date.now()
        if (leases.length > 0 || left <= 0) {
          for (const l of leases) if (l.claim) claims.add(l.record.id)
          return leases.map((l) => ({
            record: l.record,
            receipt: `${l.record.id}:${l.token}`,
            deliveryCount: l.deliveryCount,
          }))
        }
        await inbox.changed(Math.min(left, RECHECK_MS))
      }
    },

    async ack(message: QueueMessage): Promise<void> {
      const { id, token } = parseReceipt(message.receipt)
      if (!inbox.settleLeased(token, { kind: 'ack' })) return
      await store.ledgerRemove(id)
      if (claims.delete(id)) await store.deletePayload(id)
    },

    async retry(message: QueueMessage, delayMs: number): Promise<void> {
      const { token } = parseReceipt(message.receipt)
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(Math.max(0, delayMs) / 1000))
      inbox.settleLeased(token, { kind: 'retry', delaySeconds })
    },

    async extend(message: QueueMessage, leaseMs: number): Promise<void> {
      inbox.extend(parseReceipt(message.receipt).token, leaseMs)
    },

    async depth(queue: string): Promise<number> {
      return await store.ledgerDepth(queue)
    },

    async close(): Promise<void> {
      closing.abort()
    },
  }
}
