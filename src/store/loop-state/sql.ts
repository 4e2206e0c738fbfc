/**
 * @module
 * The LoopStateStore over SQL, for every dialect.
 */
import { eq, sql } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { LoopStateStore } from './types.ts'

/** The LoopStateStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function loopStateStore({ db, tables: { loopState } }: Dialect): LoopStateStore {
  return {
    async getLoopState(name) {
      const [row] = await db
        .select({ cursor: loopState.cursor, passDoneAt: loopState.passDoneAt })
        .from(loopState)
        .where(eq(loopState.name, name))
      return { cursor: row?.cursor ?? null, passDoneAt: row?.passDoneAt ?? null }
    },

    async saveLoopState(name, state, at) {
      await db
        .insert(loopState)
        .values({ name, cursor: state.cursor, passDoneAt: state.passDoneAt, updatedAt: at })
        .onConflictDoUpdate({
          target: loopState.name,
          set: {
            cursor: sql`excluded.cursor`,
            passDoneAt: sql`excluded.pass_done_at`,
            updatedAt: sql`excluded.updated_at`,
          },
        })
    },
  }
}
