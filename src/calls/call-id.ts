/**
 * @module
 * New call ids: UUIDs of version 7 (RFC 9562), a 48-bit millisecond timestamp then 74 random bits. Still a
 * UUID as OpenFaaS hands out, and as hard to guess as a cancellation handle needs (2^74 per millisecond),
 * but ids made one after another sort together: the store's indexes on the call id (`calls`,
 * `queue_messages`) then take each new id on the same rightmost page instead of a random one, so a
 * commit of many calls writes a few pages rather than one per call.
 */
export function newCallId(now = Date.now()): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  let ms = now
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f)
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
