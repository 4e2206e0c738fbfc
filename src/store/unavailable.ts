/**
 * @module
 * Telling "the database is unreachable right now" apart from every other failure, so the API can answer
 * 503 with a message that says to retry (not a 500 that says the gateway is broken), and the route cache
 * can keep serving what it knows while the store is down.
 *
 * Runtime-neutral: it only reads the `code` (and `errno`) properties along an error's `cause` chain, as
 * postgres-js, Node's sockets and drizzle's `DrizzleQueryError` wrapper set them.
 */

/** Socket-level codes: the connection could not be made or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
])

/** postgres-js' own codes for a connection that closed, ended or never came up. */
const CLIENT_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
])

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": class 08 (connection exception), 57P01–03
 * (shutting down, crash recovery, starting up), 53300 (too many connections), 40001/40P01 are not here:
 * those are the caller's to retry, and already handled where they can occur.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
}

/** True when `error` (or anything in its cause chain) says the store could not be reached. */
export function isStoreUnavailable(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof StoreUnavailableError) return true
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code) || CLIENT_CODES.has(code)) return true
      if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true
    }
    // AggregateError (a host name resolving to several addresses, every one refused).
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isStoreUnavailable(e))) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** Raised by code that knows the store is down (a drain, a failed ping) to take the same 503 path. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
}

/** What a client is told: the write did not happen and may be retried; nothing about the database. */
export const STORE_UNAVAILABLE_MESSAGE =
  'the gateway cannot reach its database right now; nothing was changed, retry in a few seconds'
