/**
 * @module
 * The RateLimitStore over SQL, for every dialect: the GCRA step as one upsert.
 *
 * `INSERT … ON CONFLICT DO UPDATE SET tat = max(tat, now) + interval WHERE max(tat, now) + interval - now
 * <= capacity RETURNING tat`: the row lock the upsert takes serialises concurrent gateways, so two calls
 * never both take the last slot. A refused call updates nothing and returns no row; a second read then
 * fetches the time for Retry-After (only refused calls pay it, and a stale value there is harmless).
 * The numbers are inlined as integer literals (they are computed here, never user input) so PostgreSQL
 * types the arithmetic as bigint without casts that SQLite would not parse.
 */
import { eq, lt, sql } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { RateLimitStore } from './types.ts'

const int = (n: number) => sql.raw(String(Math.trunc(n)))

export function rateLimitStore({ db, tables: { rateLimits } }: Dialect): RateLimitStore {
  return {
    async takeRateLimit(step) {
      const now = int(step.nowMicros)
      const next = sql`(CASE WHEN ${rateLimits.tatMicros} > ${now} THEN ${rateLimits.tatMicros} ELSE ${now} END + ${int(step.intervalMicros)})`
      const rows = await db
        .insert(rateLimits)
        .values({ key: step.key, tatMicros: Math.trunc(step.nowMicros + step.intervalMicros) })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: { tatMicros: next },
          setWhere: sql`${next} - ${now} <= ${int(step.capacityMicros)}`,
        })
        .returning({ tatMicros: rateLimits.tatMicros })
      const taken = rows[0]
      if (taken) return { allowed: true, tatMicros: Number(taken.tatMicros) }
      const [row] = await db
        .select({ tatMicros: rateLimits.tatMicros })
        .from(rateLimits)
        .where(eq(rateLimits.key, step.key))
      return { allowed: false, tatMicros: Number(row?.tatMicros ?? step.nowMicros) }
    },

    async pruneRateLimits(nowMicros) {
      const rows = await db
        .delete(rateLimits)
        .where(lt(rateLimits.tatMicros, Math.trunc(nowMicros)))
        .returning({ key: rateLimits.key })
      return rows.length
    },
  }
}
