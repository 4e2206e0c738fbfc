/**
 * @module
 * The status of asynchronous calls, kept after their message is gone so `X-Call-Id` can be looked up and
 * cancelled. (The call itself, the `CallRecord`, is in src/calls/types.ts.)
 */

/** Where an asynchronous call stands. `queued` also covers waiting for a retry. */
export type CallStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead' | 'cancelled'

/** The status of one asynchronous call (not the call itself, which is the queue's `CallRecord`). */
export interface CallStateRecord {
  /** The call id (`X-Call-Id`). */
  id: string
  namespace: string
  function: string
  queue: string
  status: CallStatus
  /** Invocations tried so far. */
  attempts: number
  /** HTTP status of the last invocation; null before the first or when it got no response. */
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  updatedAt: Date
}

export type NewCall = Pick<CallStateRecord, 'id' | 'namespace' | 'function' | 'queue'>

/** The fields `updateCall` may change; omitted ones are kept, `null` clears. */
export type CallUpdate = Partial<Pick<CallStateRecord, 'status' | 'attempts' | 'lastStatus' | 'lastError'>>

/** One leased call the worker is about to run: its id and the attempt this delivery is. */
export interface CallClaim {
  id: string
  attempts: number
}

export interface CallQuery {
  namespace?: string
  function?: string
  status?: CallStatus
  /** Page size, at least 1. */
  limit: number
  /** The `next` cursor of the previous page. */
  after?: string
}

/**
 * One page of calls, most recently changed first; `next` is null on the last page. Ordered by the last
 * change (the index retention already uses) rather than creation: the page answers "what happened
 * lately", and a call that changes while someone pages moves to the top instead of being shown twice.
 */
export interface CallPage {
  items: CallStateRecord[]
  next: string | null
}

export interface CallStore {
  /** Records a new call as `queued` with no attempts; false when the id exists (the call is not changed). */
  createCall(call: NewCall): Promise<boolean>
  getCall(id: string): Promise<CallStateRecord | null>
  /**
   * Sets the given fields and `updatedAt`. With `ifStatus`, only while the call is in one of those
   * statuses (e.g. `queued` → `running` loses against a cancellation). Returns the updated call, or null
   * when it does not exist or the condition failed.
   */
  updateCall(
    id: string,
    fields: CallUpdate,
    ifStatus?: readonly CallStatus[],
  ): Promise<CallStateRecord | null>
  /**
   * The worker's claim of a batch of leased calls, in as few statements as the batch allows: each call
   * still `queued` or `running` (a redelivery) becomes `running` with its `attempts`; a call cancelled,
   * already finished or unknown is left alone. Returns the ids claimed. (`updateCall` with
   * `ifStatus: ['queued', 'running']` per call does the same, one statement each.)
   */
  claimCalls(claims: readonly CallClaim[]): Promise<Set<string>>
  /**
   * Sets the given fields and `updatedAt`, like `updateCall` without a guard, and says only whether the
   * call exists: the worker's final status, which needs no row back.
   */
  finishCall(id: string, fields: CallUpdate): Promise<boolean>
  /** Newest change first; throws InvalidCursorError (dialect/keyset.ts) for an `after` it did not hand out. */
  listCalls(query: CallQuery): Promise<CallPage>
  /** Sets a `queued` call to `cancelled`; false when it does not exist or is in any other status. */
  cancelCall(id: string): Promise<boolean>
  /**
   * Retention: deletes finished calls (`succeeded`, `failed`, `dead`, `cancelled`) last updated before
   * `before`, and returns how many. Calls still queued or running are kept whatever their age.
   */
  deleteCallsBefore(before: Date): Promise<number>
}
