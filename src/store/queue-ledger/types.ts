/**
 * @module
 * The queue ledger: which messages an external queue holds that have not been acked yet, for queues whose
 * own API tells no depth (Cloudflare Queues' binding has none). One row per message, added before the
 * message is sent and removed on ack, so depth never undercounts; every method is one statement.
 */

export interface QueueLedgerStore {
  /** Records message `id` as pending in `queue`; false (and no change) when it is already recorded. */
  ledgerAdd(id: string, queue: string, at: Date): Promise<boolean>
  /** Forgets message `id`; false when it was not recorded (already acked). */
  ledgerRemove(id: string): Promise<boolean>
  /** Pending messages of `queue`. */
  ledgerDepth(queue: string): Promise<number>
}
