/**
 * @module
 * The Queue interface for asynchronous invocations. One interface, one driver per system (embedded SQL
 * table, NATS JetStream, SQS, Cloudflare Queues), all checked by test/conformance/queue.suite.ts.
 *
 * Delivery is at least once: a message taken with `receive` is leased; if it is neither acked nor
 * retried before the lease ends (a worker crashed), it becomes available again and its
 * `deliveryCount` grows. Messages are immutable once enqueued; what changes between tries (the count)
 * is tracked by the driver.
 */

import type { CallRecord } from '../calls/types.ts'

// CallRecord moved to src/calls/types.ts so the store can use it without importing the queue; re-exported
// here so its existing importers need not change.
export type { CallRecord }

/** A leased message. `receipt` is the driver's handle (opaque to callers). */
export interface QueueMessage {
  record: CallRecord
  receipt: string
  /** 1 on the first delivery, 2 on the second, … (drivers count redeliveries after crashes too). */
  deliveryCount: number
}

export interface ReceiveOptions {
  /** At most this many messages. */
  max: number
  /** Lease length: unacked messages come back after it. */
  leaseMs: number
  /** Wait up to this long for the first message; 0 returns at once. */
  waitMs: number
  signal?: AbortSignal
}

export interface QueueDriver {
  readonly kind: string
  /** Durably stores the call; resolves once it is safe (the 202 is sent after this). */
  enqueue(record: CallRecord): Promise<void>
  /** Leases up to `max` available messages of `queue`, oldest first (FIFO not guaranteed across retries). */
  receive(queue: string, options: ReceiveOptions): Promise<QueueMessage[]>
  /** Finished (success, dead-lettered or cancelled): removes the message for good. */
  ack(message: QueueMessage): Promise<void>
  /** Makes the message available again after `delayMs`; its deliveryCount grows on the next receive. */
  retry(message: QueueMessage, delayMs: number): Promise<void>
  /** Extends the lease of a message whose function is still running. */
  extend(message: QueueMessage, leaseMs: number): Promise<void>
  /** Messages of `queue` not yet acked (available, delayed or leased), as well as the driver can tell. */
  depth(queue: string): Promise<number>
  /**
   * Rejects when the queue system cannot take calls right now (readiness, `/readyz`). Optional: a driver
   * over the store (embedded) is as reachable as the store, which readiness checks anyway.
   */
  ready?(): Promise<void>
  close(): Promise<void>
}
