/**
 * @module
 * The page cursor of `listDeadLetters`: the sort key (creation time, id) of the last item handed out.
 * Keyset, not offset, so pages neither skip nor repeat items while dead letters are added or replayed,
 * and a cursor stays valid after its own item is deleted. Opaque to callers.
 */

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
