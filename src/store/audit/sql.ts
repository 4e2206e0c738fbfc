/**
 * @module
 * The AuditStore over SQL, for every dialect. Pages by keyset (time, id) like the dead letters.
 */
import { desc, lt } from 'drizzle-orm'
import { keysetPage, olderThan } from '../dialect/keyset.ts'
import type { Dialect, Row } from '../dialect/types.ts'
import type { AuditEntry, AuditStore } from './types.ts'

function toEntry(r: Row<'auditLog'>): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    source: r.source,
    status: r.status,
  }
}

export function auditStore({ db, tables: { auditLog } }: Dialect): AuditStore {
  return {
    async addAuditEntry(entry) {
      await db.insert(auditLog).values(entry).onConflictDoNothing()
    },

    async listAuditEntries(query) {
      const limit = Math.max(1, Math.floor(query.limit))
      const rows = await db
        .select()
        .from(auditLog)
        .where(olderThan(auditLog.at, auditLog.id, query.after))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(limit + 1)
      return keysetPage(rows.map(toEntry), limit, (e) => ({ createdAt: e.at, id: e.id }))
    },

    async pruneAuditEntries(before) {
      const rows = await db.delete(auditLog).where(lt(auditLog.at, before)).returning({ id: auditLog.id })
      return rows.length
    },
  }
}
