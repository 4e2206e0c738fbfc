/**
 * @module
 * The AuditStore over SQL, for every dialect. Pages by keyset (time, id) like the dead letters.
 */
import { and, desc, eq, lt, or } from 'drizzle-orm'
import { decodeCursor, encodeCursor } from '../dead-letters/cursor.ts'
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
      const after = query.after === undefined ? undefined : decodeCursor(query.after)
      const rows = await db
        .select()
        .from(auditLog)
        .where(
          after === undefined
            ? undefined
            : or(
                lt(auditLog.at, after.createdAt),
                and(eq(auditLog.at, after.createdAt), lt(auditLog.id, after.id)),
              ),
        )
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(limit + 1)
      const items = rows.slice(0, limit).map(toEntry)
      const last = items.at(-1)
      return {
        items,
        next: rows.length > limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
      }
    },

    async pruneAuditEntries(before) {
      const rows = await db.delete(auditLog).where(lt(auditLog.at, before)).returning({ id: auditLog.id })
      return rows.length
    },
  }
}
