/**
 * @module
 * The PostgreSQL dialect over any drizzle pg driver (Node uses postgres-js). The store issues the same
 * statements as on SQLite, one per method and no interactive transactions, so both dialects keep the same
 * semantics under concurrency: row locks taken by `UPDATE … RETURNING` and `ON CONFLICT` serialize
 * competing writers.
 */
import { inArray, sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { available, leaseFields, queueOrder } from '../queue-messages/lease.ts'
import * as tables from '../schema.pg.ts'
import type { Dialect, QueryBuilders, Tables } from './types.ts'

/** Any drizzle PostgreSQL database; the query-result type differs per driver and is unused. */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT>

export interface PgDialectOptions {
  /** Releases the connection pool; the default leaves it to whoever created the client. */
  close?: () => void | Promise<void>
}

export function pgDialect(db: AnyPgDatabase, options: PgDialectOptions = {}): Dialect {
  const { queueMessages } = tables
  return {
    // drizzle gives the two dialects no common type. The builders the concerns call behave alike in both
    // (see QueryBuilders), and schema.check.ts proves the tables' rows identical, so these are handed over
    // under the SQLite spelling; the store suite runs every concern on PostgreSQL to keep that true.
    db: db as unknown as QueryBuilders,
    tables: tables as unknown as Tables,

    async leaseQueueMessages(query) {
      // The candidates are locked in a CTE, which PostgreSQL never inlines when it locks rows: it runs once,
      // so LIMIT holds (an `IN (subquery)` may be rescanned by a nested loop and lease more than `max`).
      // SKIP LOCKED passes over rows another caller is leasing right now; rows it leased and committed
      // since our snapshot are rechecked against the WHERE on locking, see a live lease, and drop out.
      const candidates = db.$with('candidates').as(
        db
          .select({ id: queueMessages.id })
          .from(queueMessages)
          .where(available(queueMessages, query))
          .orderBy(...queueOrder(queueMessages))
          .limit(query.max)
          .for('update', { skipLocked: true }),
      )
      return await db
        .with(candidates)
        .update(queueMessages)
        .set(leaseFields(queueMessages, query))
        .where(inArray(queueMessages.id, db.select({ id: candidates.id }).from(candidates)))
        .returning()
    },

    async ping() {
      await db.execute(sql`select 1`)
    },

    async close() {
      await options.close?.()
    },
  }
}
