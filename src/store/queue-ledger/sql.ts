/**
 * @module
 * The QueueLedgerStore over SQL, for every dialect.
 */
import { count, eq } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { QueueLedgerStore } from './types.ts'

/** The QueueLedgerStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function queueLedgerStore({ db, tables: { queueLedger } }: Dialect): QueueLedgerStore {
  return {
    async ledgerAdd(id, queue, at) {
      const rows = await db
        .insert(queueLedger)
        .values({ id, queue, createdAt: at })
        .onConflictDoNothing({ target: queueLedger.id })
        .returning({ id: queueLedger.id })
      return rows.length > 0
    },

    async ledgerRemove(id) {
      const rows = await db
        .delete(queueLedger)
        .where(eq(queueLedger.id, id))
        .returning({ id: queueLedger.id })
      return rows.length > 0
    },

    async ledgerDepth(queue) {
      const [row] = await db.select({ n: count() }).from(queueLedger).where(eq(queueLedger.queue, queue))
      return Number(row?.n ?? 0)
    },
  }
}
