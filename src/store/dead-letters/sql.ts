/**
 * @module
 * The DeadLetterStore over SQL, for every dialect.
 */
import { and, desc, eq, sql } from 'drizzle-orm'
import { keysetPage, olderThan } from '../dialect/keyset.ts'
import type { Dialect, Row } from '../dialect/types.ts'
import type { DeadLetterRecord, DeadLetterStore } from './types.ts'

function toDeadLetter(r: Row<'deadLetters'>): DeadLetterRecord {
  return {
    id: r.id,
    namespace: r.namespace,
    function: r.functionName,
    record: r.record,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    attempts: r.attempts,
    createdAt: r.createdAt,
  }
}

/** The DeadLetterStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function deadLetterStore({ db, tables: { deadLetters } }: Dialect): DeadLetterStore {
  return {
    async addDeadLetter(deadLetter) {
      const { record } = deadLetter
      await db
        .insert(deadLetters)
        .values({
          id: record.id,
          namespace: record.namespace,
          functionName: record.function,
          record,
          lastStatus: deadLetter.lastStatus,
          lastError: deadLetter.lastError,
          attempts: deadLetter.attempts,
          createdAt: new Date(),
        })
        .onConflictDoUpdate({
          target: deadLetters.id,
          set: {
            namespace: sql`excluded.namespace`,
            functionName: sql`excluded.function_name`,
            record: sql`excluded.record`,
            lastStatus: sql`excluded.last_status`,
            lastError: sql`excluded.last_error`,
            attempts: sql`excluded.attempts`,
          },
        })
    },

    async listDeadLetters(query) {
      const limit = Math.max(1, Math.floor(query.limit))
      const rows = await db
        .select()
        .from(deadLetters)
        .where(
          and(
            query.namespace === undefined ? undefined : eq(deadLetters.namespace, query.namespace),
            query.function === undefined ? undefined : eq(deadLetters.functionName, query.function),
            olderThan(deadLetters.createdAt, deadLetters.id, query.after),
          ),
        )
        .orderBy(desc(deadLetters.createdAt), desc(deadLetters.id))
        .limit(limit + 1)
      return keysetPage(rows.map(toDeadLetter), limit, (d) => d)
    },

    async getDeadLetter(id) {
      const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id))
      return row ? toDeadLetter(row) : null
    },

    async deleteDeadLetter(id) {
      const rows = await db
        .delete(deadLetters)
        .where(eq(deadLetters.id, id))
        .returning({ id: deadLetters.id })
      return rows.length > 0
    },
  }
}
