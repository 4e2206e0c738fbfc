/**
 * @module
 * The VersionStore over SQL, for every dialect.
 */
import { eq, sql } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { VersionStore } from './types.ts'

/** The VersionStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function versionStore({ db, tables: { versions } }: Dialect): VersionStore {
  return {
    async bumpVersion(name, at) {
      // One upsert: concurrent bumps each get their own number, none is lost.
      const rows = await db
        .insert(versions)
        .values({ name, version: 1, updatedAt: at })
        .onConflictDoUpdate({
          target: versions.name,
          set: { version: sql`${versions.version} + 1`, updatedAt: sql`excluded.updated_at` },
        })
        .returning({ version: versions.version })
      return Number(rows[0]?.version ?? 0)
    },

    async readVersion(name) {
      const [row] = await db
        .select({ version: versions.version })
        .from(versions)
        .where(eq(versions.name, name))
      return Number(row?.version ?? 0)
    },
  }
}
