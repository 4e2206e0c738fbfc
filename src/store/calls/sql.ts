/**
 * @module
 * The CallStore over SQL, for every dialect.
 */
import { and, desc, eq, inArray, lt, or } from 'drizzle-orm'
import { decodeCursor, encodeCursor } from '../dead-letters/cursor.ts'
import type { Dialect, Row } from '../dialect/types.ts'
import type { CallStateRecord, CallStore, CallUpdate } from './types.ts'

/** Finished calls, which retention may delete. */
const FINISHED_CALL_STATUSES = ['succeeded', 'failed', 'dead', 'cancelled'] as const

function toCallState(r: Row<'calls'>): CallStateRecord {
  return {
    id: r.id,
    namespace: r.namespace,
    function: r.functionName,
    queue: r.queue,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** The given fields only, as for deployments: `undefined` keeps, `null` clears. */
function givenCallFields(u: CallUpdate): CallUpdate {
  const out: CallUpdate = {}
  if (u.status !== undefined) out.status = u.status
  if (u.attempts !== undefined) out.attempts = u.attempts
  if (u.lastStatus !== undefined) out.lastStatus = u.lastStatus
  if (u.lastError !== undefined) out.lastError = u.lastError
  return out
}

/** The CallStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function callStore({ db, tables: { calls } }: Dialect): CallStore {
  return {
    async createCall(call) {
      const now = new Date()
      const rows = await db
        .insert(calls)
        .values({
          id: call.id,
          namespace: call.namespace,
          functionName: call.function,
          queue: call.queue,
          status: 'queued',
          attempts: 0,
          lastStatus: null,
          lastError: null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: calls.id })
      return rows.length > 0
    },

    async getCall(id) {
      const [row] = await db.select().from(calls).where(eq(calls.id, id))
      return row ? toCallState(row) : null
    },

    async updateCall(id, fields, ifStatus) {
      if (ifStatus?.length === 0) return null
      const [row] = await db
        .update(calls)
        .set({ ...givenCallFields(fields), updatedAt: new Date() })
        .where(and(eq(calls.id, id), ifStatus ? inArray(calls.status, [...ifStatus]) : undefined))
        .returning()
      return row ? toCallState(row) : null
    },

    async listCalls(query) {
      const limit = Math.max(1, Math.floor(query.limit))
      // The shared keyset cursor names its time `createdAt`; here it carries the last change.
      const after = query.after === undefined ? undefined : decodeCursor(query.after)
      // One row more than asked tells whether another page follows.
      const rows = await db
        .select()
        .from(calls)
        .where(
          and(
            query.namespace === undefined ? undefined : eq(calls.namespace, query.namespace),
            query.function === undefined ? undefined : eq(calls.functionName, query.function),
            query.status === undefined ? undefined : eq(calls.status, query.status),
            after === undefined
              ? undefined
              : or(
                  lt(calls.updatedAt, after.createdAt),
                  and(eq(calls.updatedAt, after.createdAt), lt(calls.id, after.id)),
                ),
          ),
        )
        .orderBy(desc(calls.updatedAt), desc(calls.id))
        .limit(limit + 1)
      const items = rows.slice(0, limit).map(toCallState)
      const last = items.at(-1)
      return {
        items,
        next: rows.length > limit && last ? encodeCursor({ createdAt: last.updatedAt, id: last.id }) : null,
      }
    },

    async cancelCall(id) {
      const rows = await db
        .update(calls)
        .set({ status: 'cancelled', updatedAt: new Date() })
        .where(and(eq(calls.id, id), eq(calls.status, 'queued')))
        .returning({ id: calls.id })
      return rows.length > 0
    },

    async deleteCallsBefore(before) {
      const rows = await db
        .delete(calls)
        .where(and(lt(calls.updatedAt, before), inArray(calls.status, [...FINISHED_CALL_STATUSES])))
        .returning({ id: calls.id })
      return rows.length
    },
  }
}
