/**
 * @module
 * The audit log: one entry per `/system` write (and per other admin write), kept for
 * `EDGEFAAS_AUDIT_RETENTION_DAYS`.
 */

export interface AuditEntry {
  /** Sorts by time: the millisecond, then random. */
  id: string
  at: Date
  /** `admin` (basic auth), `token:<id>`, `anonymous` (no or bad credentials), `open` (auth switched off). */
  actor: string
  /** Method and route, e.g. `POST /system/functions`. */
  action: string
  /** What was acted on, e.g. `function team-a/echo`, or the path when nothing more precise is known. */
  target: string
  /** The caller's address. */
  source: string
  /** The answer's HTTP status. */
  status: number
}

export interface AuditQuery {
  limit: number
  /** The `next` cursor of the previous page. */
  after?: string
}

export interface AuditPage {
  items: AuditEntry[]
  next: string | null
}

export interface AuditStore {
  addAuditEntry(entry: AuditEntry): Promise<void>
  /** Newest first; throws InvalidCursorError for a cursor it did not hand out. */
  listAuditEntries(query: AuditQuery): Promise<AuditPage>
  /** Deletes entries older than `before`; returns how many. */
  pruneAuditEntries(before: Date): Promise<number>
}
