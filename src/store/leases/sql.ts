/**
 * @module
 * The LeaseStore over SQL, for every dialect.
 */
import { and, eq, lte, or, sql } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { LeaseStore } from './types.ts'

/** The LeaseStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function leaseStore({ db, tables: { leases } }: Dialect): LeaseStore {
  return {
    async tryAcquireLease(name, holder, ttlMs, now) {
      // The conflict branch only fires for the same holder or an expired lease; otherwise nothing is
      // returned and the lease stays with its holder.
      const rows = await db
        .insert(leases)
        .values({ name, holder, expiresAt: new Date(now.getTime() + ttlMs) })
        .onConflictDoUpdate({
          target: leases.name,
          set: { holder: sql`excluded.holder`, expiresAt: sql`excluded.expires_at` },
          setWhere: or(eq(leases.holder, holder), lte(leases.expiresAt, now)),
        })
        .returning({ holder: leases.holder })
      return rows[0]?.holder === holder
    },

    async releaseLease(name, holder) {
      await db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder)))
    },
  }
}
