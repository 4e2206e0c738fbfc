/**
 * @module
 * The SQLite dialect over any asynchronous drizzle SQLite database: D1 (`drizzle-orm/d1`) on Workers and
 * embedded `node:sqlite` (through `drizzle-orm/sqlite-proxy`) on Node. D1 has no interactive transactions,
 * so every store method is one statement: conflicts are settled by `ON CONFLICT`, existence by
 * `RETURNING`, and counters by `x = x + 1` in the same statement that reads them back.
 */
import { inArray, sql } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { available, leaseFields, queueOrder } from '../queue-messages/lease.ts'
import * as tables from '../schema.sqlite.ts'
import { bound, once } from './prepared.ts'
import type { Dialect } from './types.ts'

/** Any drizzle SQLite database with an async driver; the run-result type differs per driver and is unused. */
export type AsyncSqliteDatabase = BaseSQLiteDatabase<'async', unknown>

export interface SqliteDialectOptions {
  /** Releases the connection; D1 bindings need none, so the default does nothing. */
  close?: () => void | Promise<void>
}

export function sqliteDialect(db: AsyncSqliteDatabase, options: SqliteDialectOptions = {}): Dialect {
  const { queueMessages } = tables
  // One statement: SQLite runs it under the database's single write lock, so the subquery's choice and
  // the update are atomic against every other connection (and D1 serializes statements anyway). Prepared
  // once: the worker leases after every enqueue that wakes it (src/store/dialect/prepared.ts).
  const lease = once(() => {
    const query = {
      queue: bound(queueMessages.queue, 'queue'),
      now: bound(queueMessages.availableAt, 'now'),
      leaseToken: bound(queueMessages.leaseToken, 'leaseToken'),
      leaseUntil: bound(queueMessages.leaseUntil, 'leaseUntil'),
    }
    return db
      .update(queueMessages)
      .set(leaseFields(queueMessages, query))
      .where(
        inArray(
          queueMessages.id,
          db
            .select({ id: queueMessages.id })
            .from(queueMessages)
            .where(available(queueMessages, query))
            .orderBy(...queueOrder(queueMessages))
            .limit(sql.placeholder('max')),
        ),
      )
      .returning()
      .prepare()
  })
  return {
    db,
    tables,

    async leaseQueueMessages(query) {
      return await lease().execute({ ...query })
    },

    async ping() {
      await db.get(sql`select 1`)
    },

    async close() {
      await options.close?.()
    },
  }
}
