/**
 * @module
 * The BackendStore over SQL, for every dialect.
 */
import { asc, eq, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { BackendRecord, BackendStore } from './types.ts'

function toBackend(r: Row<'backends'>): BackendRecord {
  return { name: r.name, kind: r.kind, config: r.config, createdAt: r.createdAt }
}

/** The BackendStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function backendStore({ db, tables: { backends } }: Dialect): BackendStore {
  return {
    async listBackends() {
      const rows = await db.select().from(backends).orderBy(asc(backends.name))
      return rows.map(toBackend)
    },

    async getBackend(name) {
      const [row] = await db.select().from(backends).where(eq(backends.name, name))
      return row ? toBackend(row) : null
    },

    async upsertBackend(backend) {
      // The conflict branch leaves `created_at` alone: an upsert keeps the first creation time.
      await db
        .insert(backends)
        .values({ name: backend.name, kind: backend.kind, config: backend.config, createdAt: new Date() })
        .onConflictDoUpdate({
          target: backends.name,
          set: { kind: sql`excluded.kind`, config: sql`excluded.config` },
        })
    },

    async deleteBackend(name) {
      const rows = await db.delete(backends).where(eq(backends.name, name)).returning({ name: backends.name })
      return rows.length > 0
    },
  }
}
