/**
 * @module
 * Rate-limit annotations: `edgefaas.dev/rate-limit` (the function as a whole) and
 * `edgefaas.dev/rate-limit-per-caller` (each caller apart: its token, the JWT's issuer and subject, or its
 * address), both written `<count>/<unit> [burst <n>]` with unit `s`, `m` or `h`, e.g. `100/s burst 200`.
 * Without `burst` the burst is the count: `10/s` allows 10 at once, then 10 a second.
 */

export const RATE_LIMIT_ANNOTATION = 'edgefaas.dev/rate-limit'
export const CALLER_RATE_LIMIT_ANNOTATION = 'edgefaas.dev/rate-limit-per-caller'

export interface RateLimit {
  /** The text as written, for RateLimit-Policy. */
  count: number
  windowSeconds: number
  burst: number
  /** Microseconds between calls at the steady rate. */
  intervalMicros: number
}

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
}
const PATTERN = /^\s*(\d{1,9})\s*\/\s*(s|sec|second|m|min|minute|h|hour)\s*(?:burst\s+(\d{1,9}))?\s*$/i

/** The limit, or a message saying how to write it. */
export function parseRateLimit(text: string, key: string): RateLimit | string {
  const match = PATTERN.exec(text)
  const usage = `annotation ${key} must read like "100/s", "600/m burst 50" or "1000/h": a whole count above 0, a unit (s, m or h), and optionally "burst" and a whole number above 0`
  if (!match) return usage
  const count = Number(match[1])
  const windowSeconds = UNIT_SECONDS[match[2]!.toLowerCase()] ?? 1
  const burst = match[3] === undefined ? count : Number(match[3])
  if (count < 1 || burst < 1) return usage
  return { count, windowSeconds, burst, intervalMicros: (windowSeconds * 1_000_000) / count }
}

export interface RateLimitPolicy {
  function: RateLimit | null
  perCaller: RateLimit | null
}

export function rateLimitPolicy(annotations: Record<string, string>): RateLimitPolicy | string {
  const whole = annotations[RATE_LIMIT_ANNOTATION]
  const caller = annotations[CALLER_RATE_LIMIT_ANNOTATION]
  const fn = whole === undefined ? null : parseRateLimit(whole, RATE_LIMIT_ANNOTATION)
  if (typeof fn === 'string') return fn
  const perCaller = caller === undefined ? null : parseRateLimit(caller, CALLER_RATE_LIMIT_ANNOTATION)
  if (typeof perCaller === 'string') return perCaller
  return { function: fn, perCaller }
}
