/**
 * @module
 * The chunk-size line of a chunked body (RFC 9112 §7.1): hex digits, then nothing or `;` extensions.
 * No whitespace before the `;` (llhttp refuses it too: parsers that disagree on a chunk boundary are how
 * a body smuggles a second response). Extensions are checked for stray bytes and otherwise ignored.
 */
import { FIELD_VALUE } from '../field-chars.ts'

/** Hex digits kept at most (leading zeros aside): 13 fit a safe integer. */
const MAX_SIGNIFICANT_DIGITS = 13

/** The size on `[start, end)` of `line` (CRLF excluded), or -1 when the line is not a valid one. */
export function parseChunkSize(line: Uint8Array, start: number, end: number): number {
  let i = start
  let size = 0
  let significant = 0
  for (; i < end; i++) {
    const digit = hexValue(line[i]!)
    if (digit === -1) break
    if (size !== 0 || digit !== 0) significant++
    if (significant > MAX_SIGNIFICANT_DIGITS) return -1
    size = size * 16 + digit
  }
  if (i === start) return -1
  if (i === end) return size
  if (line[i] !== 0x3b) return -1 // ';'
  for (i++; i < end; i++) if (FIELD_VALUE[line[i]!] === 0) return -1
  return size
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}
