/**
 * @module
 * The CallStore over SQL, for every dialect.
 */
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import { keysetPage, olderThan } from '../dialect/keyset.ts'
import { bound, once, perShape } from '../dialect/prepared.ts'
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

const UPDATABLE = ['status', 'attempts', 'lastStatus', 'lastError'] as const

/** Statuses a worker may claim a call from: waiting, or running under a lease that ran out (redelivery). */
const CLAIMABLE = ['queued', 'running'] as const

/** Ids per claim statement: D1 binds at most 100 parameters, and the rest of the statement takes four. */
const CLAIM_CHUNK = 64

/** The prepared size for `n` ids: the next power of two, so a handful of statements serve every batch. */
function claimSize(n: number): number {
  let size = 1
  while (size < n) size *= 2
  return Math.min(size, CLAIM_CHUNK)
}

/** The CallStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function callStore({ db, tables: { calls } }: Dialect): CallStore {
  // Every async call runs these (src/store/dialect/prepared.ts says why they are prepared).
  const insertCall = once(() =>
    db
      .insert(calls)
      .values({
        id: sql.placeholder('id'),
        namespace: sql.placeholder('namespace'),
        functionName: sql.placeholder('function'),
        queue: sql.placeholder('queue'),
        status: 'queued',
        attempts: 0,
        lastStatus: null,
        lastError: null,
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .onConflictDoNothing()
      .returning({ id: calls.id })
      .prepare(),
  )
  // One statement per combination of given fields and number of allowed statuses, e.g.
  // `status,attempts/2` for the worker's claim; the key lists only names from UPDATABLE.
  const updateByShape = perShape((key) => {
    const [fieldList = '', statusCount = '0'] = key.split('/')
    const set: Record<string, unknown> = { updatedAt: sql.placeholder('updatedAt') }
    for (const field of fieldList.split(',').filter(Boolean)) set[field] = sql.placeholder(field)
    // Statuses are plain text in both dialects: no encoder needed.
    const allowed = Array.from({ length: Number(statusCount) }, (_, i) => sql.placeholder(`if${i}`))
    return db
      .update(calls)
      .set(set)
      .where(
        and(
          eq(calls.id, bound(calls.id, 'id')),
          allowed.length > 0 ? inArray(calls.status, allowed) : undefined,
        ),
      )
      .returning()
      .prepare()
  })

  // The claim of a batch, prepared once per padded batch size (claimSize: 1, 2, 4, … CLAIM_CHUNK).
  const claimBySize = perShape((key) => {
    const set: Record<string, unknown> = {
      status: 'running',
      attempts: sql.placeholder('attempts'),
      updatedAt: sql.placeholder('updatedAt'),
    }
    // Ids are plain text in both dialects, as statuses: no encoder needed.
    const ids = Array.from({ length: Number(key) }, (_, k) => sql.placeholder(`id${k}`))
    return db
      .update(calls)
      .set(set)
      .where(and(inArray(calls.id, ids), inArray(calls.status, [...CLAIMABLE])))
      .returning({ id: calls.id })
      .prepare()
  })
  // One statement per combination of given fields, as updateByShape without a guard; no row mapped back.
  const finishByShape = perShape((fieldList) => {
    const set: Record<string, unknown> = { updatedAt: sql.placeholder('updatedAt') }
    for (const field of fieldList.split(',').filter(Boolean)) set[field] = sql.placeholder(field)
    return db
      .update(calls)
      .set(set)
      .where(eq(calls.id, bound(calls.id, 'id')))
      .returning({ id: calls.id })
      .prepare()
  })

  return {
    async createCall(call) {
      const now = new Date()
      const rows = await insertCall().execute({
        id: call.id,
        namespace: call.namespace,
        function: call.function,
        queue: call.queue,
        now,
      })
      return rows.length > 0
    },

    async getCall(id) {
      const [row] = await db.select().from(calls).where(eq(calls.id, id))
      return row ? toCallState(row) : null
    },

    async updateCall(id, fields, ifStatus) {
      if (ifStatus?.length === 0) return null
      const given = givenCallFields(fields)
      const names = UPDATABLE.filter((name) => name in given)
      const values: Record<string, unknown> = { ...given, id, updatedAt: new Date() }
      ifStatus?.forEach((status, i) => {
        values[`if${i}`] = status
      })
      const [row] = await updateByShape(`${names.join(',')}/${ifStatus?.length ?? 0}`).execute(values)
      return row ? toCallState(row) : null
    },

    async claimCalls(claims) {
      const claimed = new Set<string>()
      if (claims.length === 0) return claimed
      // Almost always one group: every message of a batch on its first delivery.
      const byAttempts = new Map<number, string[]>()
      for (const { id, attempts } of claims) {
        const ids = byAttempts.get(attempts) ?? []
        ids.push(id)
        byAttempts.set(attempts, ids)
      }
      const updatedAt = new Date()
      for (const [attempts, ids] of byAttempts) {
        for (let i = 0; i < ids.length; i += CLAIM_CHUNK) {
          const chunk = ids.slice(i, i + CLAIM_CHUNK)
          const size = claimSize(chunk.length)
          const values: Record<string, unknown> = { attempts, updatedAt }
          // Padded to the prepared size with the last id again: a repeat in `IN (…)` changes nothing.
          for (let k = 0; k < size; k++) values[`id${k}`] = chunk[Math.min(k, chunk.length - 1)]
          for (const row of await claimBySize(String(size)).execute(values)) claimed.add(row.id)
        }
      }
      return claimed
    },

    async finishCall(id, fields) {
      const given = givenCallFields(fields)
      const names = UPDATABLE.filter((name) => name in given)
      const rows = await finishByShape(names.join(',')).execute({ ...given, id, updatedAt: new Date() })
      return rows.length > 0
    },

    async listCalls(query) {
      const limit = Math.max(1, Math.floor(query.limit))
      const rows = await db
        .select()
        .from(calls)
        .where(
          and(
            query.namespace === undefined ? undefined : eq(calls.namespace, query.namespace),
            query.function === undefined ? undefined : eq(calls.functionName, query.function),
            query.status === undefined ? undefined : eq(calls.status, query.status),
            olderThan(calls.updatedAt, calls.id, query.after),
          ),
        )
        .orderBy(desc(calls.updatedAt), desc(calls.id))
        .limit(limit + 1)
      // The cursor's time is the last change here.
      return keysetPage(rows.map(toCallState), limit, (c) => ({ createdAt: c.updatedAt, id: c.id }))
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
