/**
 * @module
 * Lower-case header names read from bytes without building a string per header: a name seen before
 * (the common ones are known up front, others learnt up to a bound) is found by a hash of its
 * lower-cased bytes and checked byte by byte, then the one interned string is returned. A response
 * parser that builds, then lower-cases, a string for every name spends a quarter of its time there.
 */

const KNOWN = [
  'accept-ranges',
  'access-control-allow-origin',
  'age',
  'cache-control',
  'connection',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-type',
  'date',
  'etag',
  'expires',
  'keep-alive',
  'last-modified',
  'link',
  'location',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'vary',
  'x-content-type-options',
  'x-duration-seconds',
  'x-call-id',
  'x-start-time',
  'x-served-by',
]

/** Names longer than this are not interned (built as strings each time). */
const MAX_INTERNED_LENGTH = 48
/** Learnt names at most: an upstream sending endless distinct names cannot grow the table further. */
const MAX_LEARNT = 512

const table = new Map<number, string>()
let learnt = 0

function hashString(name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

for (const name of KNOWN) table.set(hashString(name), name)

/** The lower-case name on `[start, end)` of `b` (token bytes, already checked). */
export function headerName(b: Uint8Array, start: number, end: number): string {
  const length = end - start
  if (length > MAX_INTERNED_LENGTH) return latin1Lower(b, start, end)
  let hash = 0x811c9dc5
  for (let i = start; i < end; i++) {
    let c = b[i]!
    if (c >= 0x41 && c <= 0x5a) c |= 0x20
    hash = Math.imul(hash ^ c, 0x01000193)
  }
  hash >>>= 0
  const known = table.get(hash)
  if (known !== undefined && known.length === length && sameLower(known, b, start)) return known
  const name = latin1Lower(b, start, end)
  if (known === undefined && learnt < MAX_LEARNT) {
    learnt++
    table.set(hash, name)
  }
  return name
}

function sameLower(name: string, b: Uint8Array, start: number): boolean {
  for (let i = 0; i < name.length; i++) {
    let c = b[start + i]!
    if (c >= 0x41 && c <= 0x5a) c |= 0x20
    if (c !== name.charCodeAt(i)) return false
  }
  return true
}

function latin1Lower(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start)
    .toString('latin1')
    .toLowerCase()
}
