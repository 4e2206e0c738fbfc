/**
 * @module
 * The NamespaceStore over SQL, for every dialect.
 */
import { asc, eq } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { NamespaceRecord, NamespaceStore } from './types.ts'

function toNamespace(r: Row<'namespaces'>): NamespaceRecord {
  return { name: r.name, labels: r.labels, annotations: r.annotations, createdAt: r.createdAt }
}

/** The NamespaceStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function namespaceStore({ db, tables: { namespaces } }: Dialect): NamespaceStore {
  return {
    async listNamespaces() {
      const rows = await db.select().from(namespaces).orderBy(asc(namespaces.name))
      return rows.map(toNamespace)
    },

    async getNamespace(name) {
      const [row] = await db.select().from(namespaces).where(eq(namespaces.name, name))
      return row ? toNamespace(row) : null
    },

    async createNamespace(ns) {
      const rows = await db
        .insert(namespaces)
        .values({ name: ns.name, labels: ns.labels, annotations: ns.annotations, createdAt: new Date() })
        .onConflictDoNothing()
        .returning({ name: namespaces.name })
      return rows.length > 0
    },

    async updateNamespace(ns) {
      const rows = await db
        .update(namespaces)
        .set({ labels: ns.labels, annotations: ns.annotations })
        .where(eq(namespaces.name, ns.name))
        .returning({ name: namespaces.name })
      return rows.length > 0
    },

    async deleteNamespace(name) {
      const rows = await db
        .delete(namespaces)
        .where(eq(namespaces.name, name))
        .returning({ name: namespaces.name })
      return rows.length > 0
    },
  }
}
