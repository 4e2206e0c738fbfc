/**
 * @module
 * The QueueMessageStore over SQL, for every dialect; the lease statement is the dialect's.
 */
import { and, count, eq, sql } from 'drizzle-orm'
import { bound, once } from '../dialect/prepared.ts'
import type { Dialect, Row } from '../dialect/types.ts'
import type { LeasedQueueMessage, QueueMessageStore } from './types.ts'

type QueueMessageRow = Row<'queueMessages'>

/** Only ever called on rows just leased, whose token is therefore set. */
function toLeased(r: QueueMessageRow): LeasedQueueMessage {
  return { record: r.record, deliveryCount: r.deliveryCount, leaseToken: r.leaseToken ?? '' }
}

/**
 * Leased rows in queue order: RETURNING gives no order (SQLite documents it as arbitrary), so the
 * `ORDER BY` of the selecting subquery (queueOrder in lease.ts) is applied again here.
 */
function inQueueOrder(rows: QueueMessageRow[]): QueueMessageRow[] {
  return rows.sort(
    (a, b) =>
      a.availableAt.getTime() - b.availableAt.getTime() ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

/** The QueueMessageStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function queueMessageStore(dialect: Dialect): QueueMessageStore {
  const { db } = dialect
  const { queueMessages } = dialect.tables
  // Each runs once per async call or more (src/store/dialect/prepared.ts says why they are prepared).
  const leased = and(
    eq(queueMessages.id, bound(queueMessages.id, 'id')),
    eq(queueMessages.leaseToken, bound(queueMessages.leaseToken, 'token')),
  )
  const insert = once(() =>
    db
      .insert(queueMessages)
      .values({
        id: sql.placeholder('id'),
        queue: sql.placeholder('queue'),
        record: sql.placeholder('record'),
        availableAt: sql.placeholder('availableAt'),
        leaseToken: null,
        leaseUntil: null,
        deliveryCount: 0,
        createdAt: sql.placeholder('createdAt'),
      })
      .onConflictDoNothing()
      .returning({ id: queueMessages.id })
      .prepare(),
  )
  const ack = once(() => db.delete(queueMessages).where(leased).returning({ id: queueMessages.id }).prepare())
  const retry = once(() =>
    db
      .update(queueMessages)
      .set({
        availableAt: bound(queueMessages.availableAt, 'availableAt'),
        leaseToken: null,
        leaseUntil: null,
      })
      .where(leased)
      .returning({ id: queueMessages.id })
      .prepare(),
  )
  const extend = once(() =>
    db
      .update(queueMessages)
      .set({ leaseUntil: bound(queueMessages.leaseUntil, 'leaseUntil') })
      .where(leased)
      .returning({ id: queueMessages.id })
      .prepare(),
  )

  return {
    async queueInsert(record, availableAt) {
      const rows = await insert().execute({
        id: record.id,
        queue: record.queue,
        record,
        availableAt,
        createdAt: new Date(),
      })
      return rows.length > 0
    },

    async queueLease(queue, max, leaseToken, leaseUntil, now) {
      if (!(max >= 1)) return []
      const rows = await dialect.leaseQueueMessages({
        queue,
        max: Math.floor(max),
        leaseToken,
        leaseUntil,
        now,
      })
      return inQueueOrder(rows).map(toLeased)
    },

    async queueAck(id, leaseToken) {
      const rows = await ack().execute({ id, token: leaseToken })
      return rows.length > 0
    },

    async queueRetry(id, leaseToken, availableAt) {
      const rows = await retry().execute({ id, token: leaseToken, availableAt })
      return rows.length > 0
    },

    async queueExtend(id, leaseToken, leaseUntil) {
      const rows = await extend().execute({ id, token: leaseToken, leaseUntil })
      return rows.length > 0
    },

    async queueDepth(queue) {
      const [row] = await db.select({ n: count() }).from(queueMessages).where(eq(queueMessages.queue, queue))
      return row?.n ?? 0
    },
  }
}
