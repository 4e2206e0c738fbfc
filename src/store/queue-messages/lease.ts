/**
 * @module
 * The parts of the lease statement that both dialects share: which messages may be taken, in what order,
 * and what taking one writes. Each dialect (src/store/dialect/) wraps them in its own locking statement.
 * Typed against drizzle's dialect-neutral `Column`, so either dialect's table fits without a cast.
 */
import { and, asc, type Column, eq, isNull, lte, or, type SQL, sql } from 'drizzle-orm'

/** What the lease statement compares and writes: a lease query's values, or placeholders standing for them. */
export interface LeaseTerms {
  queue: string | SQL
  now: Date | SQL
  leaseToken: string | SQL
  leaseUntil: Date | SQL
}

/** The `queue_messages` columns the lease statement reads, from either dialect's table. */
export interface QueueColumns {
  id: Column
  queue: Column
  availableAt: Column
  leaseUntil: Column
  deliveryCount: Column
  createdAt: Column
}

/** Not leased (or the lease ended) and due: what a lease may take. */
export function available(t: QueueColumns, query: LeaseTerms): SQL | undefined {
  return and(
    eq(t.queue, query.queue),
    lte(t.availableAt, query.now),
    or(isNull(t.leaseUntil), lte(t.leaseUntil, query.now)),
  )
}

/** Oldest first; inQueueOrder (queue-messages/sql.ts) repeats it for the rows RETURNING gives back unordered. */
export function queueOrder(t: QueueColumns): SQL[] {
  return [asc(t.availableAt), asc(t.createdAt), asc(t.id)]
}

/** What taking a message writes: the new lease, and one more delivery. */
export function leaseFields(t: QueueColumns, query: LeaseTerms) {
  return {
    leaseToken: query.leaseToken,
    leaseUntil: query.leaseUntil,
    deliveryCount: sql`${t.deliveryCount} + 1`,
  }
}
