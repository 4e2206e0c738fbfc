/**
 * @module
 * Keeps the async bookkeeping bounded: statuses of finished calls and claim-check payloads left behind by
 * messages a queue dropped are deleted once older than the retention. Dead letters stay until someone
 * replays or deletes them. A tick, like the reconciler: the runtime decides how often it runs.
 */
import type { Store } from '../store/types.ts'

export async function pruneAsyncRecords(
  store: Store,
  retentionMs: number,
  now = new Date(),
): Promise<{ calls: number; payloads: number }> {
  const before = new Date(now.getTime() - retentionMs)
  const [calls, payloads] = await Promise.all([
    store.deleteCallsBefore(before),
    store.deletePayloadsBefore(before),
  ])
  return { calls, payloads }
}
