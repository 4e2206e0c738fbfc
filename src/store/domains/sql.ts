/**
 * @module
 * The DomainStore over SQL, for every dialect.
 */
import { and, asc, eq, notInArray, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { DomainRecord, DomainStore } from './types.ts'

function toDomain(r: Row<'domains'>): DomainRecord {
  return {
    host: r.host,
    namespace: r.namespace,
    functionName: r.functionName,
    pathPrefix: r.pathPrefix,
    redirectHttps: r.redirectHttps,
    tls: r.tls,
    source: r.source,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** The DomainStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function domainStore({ db, tables: { domains } }: Dialect): DomainStore {
  return {
    async listDomains(filter = {}) {
      const conditions = [
        filter.namespace === undefined ? undefined : eq(domains.namespace, filter.namespace),
        filter.functionName === undefined ? undefined : eq(domains.functionName, filter.functionName),
      ]
      const rows = await db
        .select()
        .from(domains)
        .where(and(...conditions))
        .orderBy(asc(domains.host))
      return rows.map(toDomain)
    },

    async getDomain(host) {
      const [row] = await db.select().from(domains).where(eq(domains.host, host))
      return row ? toDomain(row) : null
    },

    async createDomain(domain) {
      const now = new Date()
      const rows = await db
        .insert(domains)
        .values({ ...domain, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ host: domains.host })
      return rows.length > 0
    },

    async updateDomain(host, namespace, change) {
      const [row] = await db
        .update(domains)
        .set({ ...change, updatedAt: new Date() })
        .where(and(eq(domains.host, host), eq(domains.namespace, namespace)))
        .returning()
      return row ? toDomain(row) : null
    },

    async claimDomain(domain) {
      const now = new Date()
      // The conflict branch fires only for the same owner; `created_at = updated_at` tells a fresh row.
      const [row] = await db
        .insert(domains)
        .values({ ...domain, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: domains.host,
          set: {
            pathPrefix: sql`excluded.path_prefix`,
            redirectHttps: sql`excluded.redirect_https`,
            updatedAt: sql`excluded.updated_at`,
          },
          setWhere: and(
            eq(domains.namespace, domain.namespace),
            eq(domains.functionName, domain.functionName),
          ),
        })
        .returning()
      if (!row) return null
      return { record: toDomain(row), created: Number(row.createdAt) === Number(now) }
    },

    async deleteDomain(host) {
      const rows = await db.delete(domains).where(eq(domains.host, host)).returning({ host: domains.host })
      return rows.length > 0
    },

    async deleteAnnotationDomains(namespace, functionName, keep) {
      const rows = await db
        .delete(domains)
        .where(
          and(
            eq(domains.namespace, namespace),
            eq(domains.functionName, functionName),
            eq(domains.source, 'annotation'),
            keep.length > 0 ? notInArray(domains.host, keep) : undefined,
          ),
        )
        .returning({ host: domains.host })
      return rows.map((r) => r.host)
    },
  }
}
