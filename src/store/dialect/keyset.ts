/**
 * @module
 * Keyset paging, newest first, for the store's lists (async calls, dead letters, the audit log): the
 * cursor is the sort key (a time, an id) of the last item handed out. Keyset, not offset, so pages
 * neither skip nor repeat items while rows are added or removed, and a cursor stays valid after its own
 * item is deleted. Opaque to callers.
 */
import { type AnyColumn, and, eq, lt, or, type SQL } from 'drizzle-orm'

/** A cursor the store did not hand out; the HTTP layer answers 400 for it. */
export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid page cursor')
    this.name = 'InvalidCursorError'
  }
}

export interface CursorKey {
  createdAt: Date
  id: string
}

export function encodeCursor(key: CursorKey): string {
  return `${key.createdAt.getTime()}.${key.id}`
}

export function decodeCursor(cursor: string): CursorKey {
  // The time is digits only, so the first dot ends it whatever the id contains.
  const match = /^(\d{1,15})\.(.+)$/s.exec(cursor)
  if (!match) throw new InvalidCursorError()
  return { createdAt: new Date(Number(match[1])), id: match[2]! }
}

/**
 * The rows after `cursor` in `(time, id)` descending order (undefined: from the start); throws
 * InvalidCursorError for a cursor the store did not hand out. Order the query by `desc(time), desc(id)`.
 */
export function olderThan(time: AnyColumn, id: AnyColumn, cursor: string | undefined): SQL | undefined {
  if (cursor === undefined) return undefined
  const after = decodeCursor(cursor)
  return or(lt(time, after.createdAt), and(eq(time, after.createdAt), lt(id, after.id)))
}

/**
 * One page from `limit + 1` rows (the extra one tells whether another page follows), the next cursor
 * made of the last item's sort key.
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  key: (item: T) => CursorKey,
): { items: T[]; next: string | null } {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor(key(last)) : null }
}
