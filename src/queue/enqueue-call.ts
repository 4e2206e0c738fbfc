/**
 * @module
 * The one way a call enters the async path, whoever starts it (`POST /async-function/…`, an event
 * trigger): record its status as `queued` (the id is the idempotency key: the insert settles races with
 * ON CONFLICT), then put the `CallRecord` on the queue durably. A call that cannot be queued is marked
 * `failed` so its status does not claim it is waiting.
 */
import type { CallRecord } from '../calls/types.ts'
import type { Store } from '../store/types.ts'
import type { QueueDriver } from './types.ts'

export type EnqueueOutcome =
  /** New: recorded and queued. */
  | 'enqueued'
  /** A call with this id exists already; nothing was written. */
  | 'exists'

/** Thrown when the record could not be queued; the call is then marked `failed`. */
export class EnqueueError extends Error {
  override name = 'EnqueueError'
}

export async function enqueueCall(
  store: Pick<Store, 'createCall' | 'updateCall'>,
  queue: QueueDriver,
  record: CallRecord,
): Promise<EnqueueOutcome> {
  const created = await store.createCall({
    id: record.id,
    namespace: record.namespace,
    function: record.function,
    queue: record.queue,
  })
  if (!created) return 'exists'
  try {
    await queue.enqueue(record)
  } catch (error) {
    await store
      .updateCall(record.id, { status: 'failed', lastError: 'could not be queued' })
      .catch(() => null)
    throw new EnqueueError('the call could not be queued', { cause: error })
  }
  return 'enqueued'
}
