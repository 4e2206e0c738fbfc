/**
 * @module
 * The parts of Cloudflare Queues' Workers API the driver uses, spelled structurally so this folder stays
 * runtime-neutral for `tsc` (no `@cloudflare/workers-types` outside src/runtime/workers): the Worker
 * hands its real `Queue` binding and `MessageBatch` in, and they fit these shapes.
 */
import type { CallRecord } from '../../calls/types.ts'

/** The producer binding (`[[queues.producers]]` in wrangler.toml). */
export interface QueueProducer {
  send(
    body: unknown,
    options?: { contentType?: 'json' | 'text' | 'bytes' | 'v8'; delaySeconds?: number },
  ): Promise<unknown>
}

/** One message of a batch the `queue()` handler got. */
export interface BatchMessage {
  readonly id: string
  readonly body: unknown
  /** 1 on the first delivery; Cloudflare adds one on every retry. */
  readonly attempts: number
  ack(): void
  retry(options?: { delaySeconds?: number }): void
}

/** What `queue(batch, env, ctx)` receives. */
export interface MessageBatchLike {
  readonly queue: string
  readonly messages: readonly BatchMessage[]
}

/** The message body this driver sends: the call, or the call without its body (claim check). */
export interface WireMessage {
  v: 1
  record: CallRecord
  /** The body is in the store's payloads under the call id (too large for a Cloudflare message). */
  claim?: true
}

export function isWireMessage(body: unknown): body is WireMessage {
  if (typeof body !== 'object' || body === null) return false
  const m = body as Partial<WireMessage>
  return m.v === 1 && typeof m.record === 'object' && m.record !== null && typeof m.record.id === 'string'
}
