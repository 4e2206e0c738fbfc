/**
 * @module
 * Slows down password guessing: a client that gives wrong admin credentials `maxFailures` times within
 * `windowMs` is locked out for `lockMs`, doubled for every further lockout (up to `maxLockMs`); a correct
 * login forgets its record. Clients are keyed by address (IPv6 by /64, since one host usually owns a whole
 * /64), and at most `maxClients` are remembered, least recently seen dropped first, so an attacker with
 * many addresses cannot make the gateway's memory grow. Per process: several gateways count apart.
 */
import ipaddr from 'ipaddr.js'

export interface LoginThrottleOptions {
  maxFailures?: number
  windowMs?: number
  lockMs?: number
  maxLockMs?: number
  maxClients?: number
  now?: () => number
}

export type ThrottleVerdict = { locked: false } | { locked: true; retryAfterSeconds: number }

export interface LoginThrottle {
  /** Whether `client` may try a login now. */
  check(client: string): ThrottleVerdict
  /** Records a failed login; says whether the client is now locked out. */
  failure(client: string): ThrottleVerdict
  /** A correct login: the client starts afresh. */
  success(client: string): void
  /** Clients remembered right now (for tests and metrics). */
  readonly size: number
}

interface ClientRecord {
  /** Times of the failures still inside the window, oldest first; never more than maxFailures. */
  failures: number[]
  lockedUntil: number
  /** Lockouts so far: each one lasts twice as long as the one before. */
  lockouts: number
  lastSeen: number
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 10
  const windowMs = options.windowMs ?? 60_000
  const lockMs = options.lockMs ?? 60_000
  const maxLockMs = options.maxLockMs ?? 15 * 60_000
  const maxClients = options.maxClients ?? 10_000
  const now = options.now ?? Date.now
  // A Map iterates in insertion order; re-inserting on every touch makes the first key the least recent.
  const clients = new Map<string, ClientRecord>()

  /** A record is worth keeping while it is locked, counts failures, or may still double a lockout. */
  const forgettable = (record: ClientRecord, at: number) =>
    record.lockedUntil <= at && at - record.lastSeen > Math.max(windowMs, maxLockMs)

  const touch = (key: string, record: ClientRecord, at: number) => {
    record.lastSeen = at
    clients.delete(key)
    clients.set(key, record)
    while (clients.size > maxClients) {
      const oldest = clients.keys().next().value as string
      clients.delete(oldest)
    }
  }

  const lockedVerdict = (record: ClientRecord, at: number): ThrottleVerdict =>
    record.lockedUntil > at
      ? { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((record.lockedUntil - at) / 1000)) }
      : { locked: false }

  return {
    check(client) {
      const key = clientKey(client)
      const record = clients.get(key)
      if (!record) return { locked: false }
      const at = now()
      if (forgettable(record, at)) {
        clients.delete(key)
        return { locked: false }
      }
      return lockedVerdict(record, at)
    },

    failure(client) {
      const key = clientKey(client)
      const at = now()
      let record = clients.get(key)
      if (!record || forgettable(record, at))
        record = { failures: [], lockedUntil: 0, lockouts: 0, lastSeen: at }
      record.failures = record.failures.filter((t) => at - t < windowMs)
      record.failures.push(at)
      if (record.failures.length >= maxFailures) {
        record.lockouts++
        record.lockedUntil = at + Math.min(maxLockMs, lockMs * 2 ** (record.lockouts - 1))
        record.failures = []
      }
      touch(key, record, at)
      return lockedVerdict(record, at)
    },

    success(client) {
      clients.delete(clientKey(client))
    },

    get size() {
      return clients.size
    },
  }
}

/**
 * The throttling key of a client address as the runtime gives it: `ip:port`, `[ipv6]:port` or a bare
 * address. IPv6 addresses count per /64; IPv4-mapped ones as the IPv4 address.
 */
export function clientKey(address: string): string {
  let host = address
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address)
  if (bracketed?.[1]) host = bracketed[1]
  else if (/^[^:]+:\d+$/.test(address)) host = address.slice(0, address.lastIndexOf(':'))
  if (!ipaddr.isValid(host)) return host
  const parsed = ipaddr.process(host)
  if (parsed.kind() === 'ipv4') return parsed.toString()
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4)
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`
}
