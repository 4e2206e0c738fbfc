/**
 * @module
 * The embedded queue's messages (src/queue/embedded/driver.ts drives them). Each method is one statement, so the
 * queue stays safe when several gateways share one store.
 */
import type { CallRecord } from '../../calls/types.ts'

/** A message of the embedded queue as leased by `queueLease`. */
export interface LeasedQueueMessage {
  record: CallRecord
  /** 1 on the first lease, growing with every lease after a retry or an expired lease. */
  deliveryCount: number
  /** The token this lease was taken with; ack, retry and extend need it. */
  leaseToken: string
}

export interface QueueMessageStore {
  /** Adds the message, available from `availableAt`; false (and no change) when its id is already queued. */
  queueInsert(record: CallRecord, availableAt: Date): Promise<boolean>
  /**
   * Leases up to `max` messages of `queue` that are available at `now` (oldest first) until `leaseUntil`,
   * with `leaseToken`, counting one more delivery each. Concurrent callers never get the same message
   * while its lease holds.
   */
  queueLease(
    queue: string,
    max: number,
    leaseToken: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<LeasedQueueMessage[]>
  /** Deletes the message if `leaseToken` still holds its lease; false otherwise (nothing changes). */
  queueAck(id: string, leaseToken: string): Promise<boolean>
  /** Releases the lease and makes the message available from `availableAt`, if `leaseToken` holds it. */
  queueRetry(id: string, leaseToken: string, availableAt: Date): Promise<boolean>
  /** Moves the lease end to `leaseUntil`, if `leaseToken` holds it. */
  queueExtend(id: string, leaseToken: string, leaseUntil: Date): Promise<boolean>
  /** Messages of `queue`: available, delayed and leased. */
  queueDepth(queue: string): Promise<number>
}
