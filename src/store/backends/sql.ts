/**
 * @module
 * The BackendStore over SQL, for every dialect.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { BackendRecord, BackendStore, BackendWrite } from './types.ts'

function toBackend(r: Row<'backends'>): BackendRecord {
  return {
    name: r.name,
    kind: r.kind,
    config: r.config,
    labels: r.labels,
    isDefault: r.isDefault,
    credentials: r.credentials,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** Every column a write sets, with the omitted optional fields made explicit. */
function columns(backend: BackendWrite, now: Date) {
  return {
    name: backend.name,
    kind: backend.kind,
    config: backend.config,
    labels: backend.labels ?? {},
    isDefault: backend.isDefault ?? false,
    credentials: backend.credentials ?? null,
    updatedAt: now,
  }
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
      const now = new Date()
      // The conflict branch leaves `created_at` alone: an upsert keeps the first creation time.
      await db
        .insert(backends)
        .values({ ...columns(backend, now), createdAt: now })
        .onConflictDoUpdate({
          target: backends.name,
          set: {
            kind: sql`excluded.kind`,
            config: sql`excluded.config`,
            labels: sql`excluded.labels`,
            isDefault: sql`excluded.is_default`,
            credentials: sql`excluded.credentials`,
            updatedAt: sql`excluded.updated_at`,
          },
        })
    },

    async createBackend(backend) {
      const now = new Date()
      const rows = await db
        .insert(backends)
        .values({ ...columns(backend, now), createdAt: now })
        .onConflictDoNothing({ target: backends.name })
        .returning({ name: backends.name })
      return rows.length > 0
    },

    async replaceBackend(backend) {
      const { name, ...set } = columns(backend, new Date())
      const rows = await db
        .update(backends)
        .set(set)
        .where(eq(backends.name, name))
        .returning({ name: backends.name })
      return rows.length > 0
    },

    async clearDefaultBackends(keep) {
      await db
        .update(backends)
        .set({ isDefault: false, updatedAt: new Date() })
        .where(and(ne(backends.name, keep), eq(backends.isDefault, true)))
    },

    async deleteBackend(name) {
      const rows = await db.delete(backends).where(eq(backends.name, name)).returning({ name: backends.name })
      return rows.length > 0
    },
  }
}
