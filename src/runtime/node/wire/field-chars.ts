/**
 * @module
 * Byte classes of HTTP/1.1 (RFC 9110 §5.6.2, §5.5) that the wire client's request encoder and response
 * parser and the fast door's request parser and response check against: one 256-entry table each, so a
 * check is one array read per byte.
 */

/** tchar: `!#$%&'*+-.^_\`|~`, digits and letters. */
export const TOKEN: Uint8Array = (() => {
  const table = new Uint8Array(256)
  for (const c of "!#$%&'*+-.^_`|~") table[c.charCodeAt(0)] = 1
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1
  return table
})()

/** field-vchar, SP and HTAB: what a field value may hold (VCHAR, obs-text; no CTL, no DEL). */
export const FIELD_VALUE: Uint8Array = (() => {
  const table = new Uint8Array(256)
  table[0x09] = 1
  for (let c = 0x20; c <= 0x7e; c++) table[c] = 1
  for (let c = 0x80; c <= 0xff; c++) table[c] = 1
  return table
})()

/** True when `value` is a non-empty token (a method, a header name). */
export function isToken(value: string): boolean {
  if (value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0xff || TOKEN[c] === 0) return false
  }
  return true
}

/** True when `value` may be written as a field value: Latin-1, no CR, LF, NUL or other CTL but HTAB. */
export function isFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0xff || FIELD_VALUE[c] === 0) return false
  }
  return true
}
