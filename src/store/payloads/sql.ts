/**
 * @module
 * The PayloadStore over SQL, for every dialect.
 */
import { eq, lt, sql } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { PayloadStore } from './types.ts'

/** The PayloadStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function payloadStore({ db, tables: { payloads } }: Dialect): PayloadStore {
  return {
    async putPayload(id, body) {
      await db
        .insert(payloads)
        .values({ id, body, createdAt: new Date() })
        .onConflictDoUpdate({
          target: payloads.id,
          set: { body: sql`excluded.body`, createdAt: sql`excluded.created_at` },
        })
    },

    async getPayload(id) {
      const [row] = await db.select({ body: payloads.body }).from(payloads).where(eq(payloads.id, id))
      return row ? row.body : null
    },

    async deletePayload(id) {
      const rows = await db.delete(payloads).where(eq(payloads.id, id)).returning({ id: payloads.id })
      return rows.length > 0
    },

    async deletePayloadsBefore(before) {
      const rows = await db
        .delete(payloads)
        .where(lt(payloads.createdAt, before))
        .returning({ id: payloads.id })
      return rows.length
    },
  }
}
