/**
 * @module
 * Dead letters: calls that exhausted their retries, kept for listing and replay.
 */
import type { CallRecord } from '../../calls/types.ts'

/** A call that exhausted its retries; `id` is the call id, `namespace` and `function` those of `record`. */
export interface DeadLetterRecord {
  id: string
  namespace: string
  function: string
  record: CallRecord
  lastStatus: number | null
  lastError: string | null
  attempts: number
  createdAt: Date
}

export type NewDeadLetter = Pick<DeadLetterRecord, 'record' | 'lastStatus' | 'lastError' | 'attempts'>

export interface DeadLetterQuery {
  namespace?: string
  function?: string
  /** Page size, at least 1. */
  limit: number
  /** The `next` cursor of the previous page. */
  after?: string
}

/** One page of dead letters, newest first; `next` is null on the last page. */
export interface DeadLetterPage {
  items: DeadLetterRecord[]
  next: string | null
}

export interface DeadLetterStore {
  /** Stores the call as dead; a second add for the same call replaces the details, keeping `createdAt`. */
  addDeadLetter(deadLetter: NewDeadLetter): Promise<void>
  /** Newest first; throws InvalidCursorError (dialect/keyset.ts) for an `after` it did not hand out. */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterPage>
  getDeadLetter(id: string): Promise<DeadLetterRecord | null>
  deleteDeadLetter(id: string): Promise<boolean>
}
