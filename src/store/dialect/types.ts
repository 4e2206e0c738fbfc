/**
 * @module
 * What the store's concerns need from a SQL dialect, and all they may use of it. The concerns (one folder
 * each under src/store/) are written once against this; src/store/dialect/sqlite.ts and pg.ts provide it,
 * the way drizzle splits `sqlite-core` and `pg-core` from their drivers.
 *
 * Most dialect differences never reach this file: the schema files absorb the column types (JSON as text
 * or `json`, time as integer milliseconds or `timestamptz`), and drizzle builds the same upserts
 * (`ON CONFLICT … excluded`) and `RETURNING` for both. What is left, the locking lease query and the
 * round trip for /healthz, is a method here.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from '../schema.sqlite.ts'

/** The store's tables. Spelled with the SQLite schema's types; schema.check.ts proves pg's rows the same. */
export type Tables = typeof schema

/** A row of table `K` as selected, the same in both dialects (schema.check.ts). */
export type Row<K extends keyof Tables> = Tables[K]['$inferSelect']

/**
 * The query builders a concern may call: select, insert, update and delete, and nothing else — above all
 * no `transaction` or `batch`, because D1 has no interactive transactions and every store method must stay
 * one statement (or a short sequence correct without one).
 *
 * Typed as SQLite's builders. PostgreSQL's have the same methods with the same meaning for everything the
 * concerns call (`where`, `orderBy`, `limit`, `returning`, `onConflictDoNothing`, `onConflictDoUpdate`
 * with `target`/`set`/`setWhere`); drizzle gives the two no common type, so pg.ts hands its builders over
 * under this one. Builder methods that exist in one dialect only (`.get()`, `.all()`, `.for()`) must not
 * be used in a concern: the store suite, run on every dialect, is what catches it.
 */
export type QueryBuilders = Pick<
  BaseSQLiteDatabase<'async', unknown>,
  'select' | 'insert' | 'update' | 'delete'
>

/** What `queueLease` asks for: up to `max` (≥ 1, whole) messages of `queue` available at `now`. */
export interface QueueLeaseQuery {
  queue: string
  max: number
  leaseToken: string
  leaseUntil: Date
  now: Date
}

/** A SQL dialect (with its driver) as the store's concerns see it. */
export interface Dialect {
  /** The database's query builders, the only way a concern reaches the database. */
  readonly db: QueryBuilders
  /** This dialect's tables (schema.sqlite.ts or schema.pg.ts). */
  readonly tables: Tables
  /**
   * Leases the messages `query` asks for in one statement — `UPDATE … WHERE id IN (candidates)
   * RETURNING *` — so that concurrent callers never get the same message while its lease holds. How the
   * candidates are kept from a concurrent caller is the dialect's business; src/store/queue-messages/lease.ts
   * has the parts both share. The rows come back in no particular order.
   */
  leaseQueueMessages(query: QueueLeaseQuery): Promise<Row<'queueMessages'>[]>
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}
