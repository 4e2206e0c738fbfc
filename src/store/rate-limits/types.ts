/**
 * @module
 * Shared rate-limit state: one GCRA step per call, atomic in the database, so every gateway on the same
 * store counts against the same limit. The arithmetic is src/access/rate-limit/gcra.ts; this is the same
 * step as one statement.
 */

export interface RateLimitStep {
  key: string
  /** Now, in microseconds since the epoch. */
  nowMicros: number
  /** The emission interval: 1 / rate, in microseconds. */
  intervalMicros: number
  /** How far ahead of now the theoretical arrival time may run: burst × interval. */
  capacityMicros: number
}

export interface RateLimitVerdict {
  allowed: boolean
  /** The theoretical arrival time after this call (allowed) or as it stands (refused); micros. */
  tatMicros: number
}

export interface RateLimitStore {
  /** Takes one call from `key`'s allowance if there is room, in one statement. */
  takeRateLimit(step: RateLimitStep): Promise<RateLimitVerdict>
  /** Deletes state that no longer limits anything (its arrival time has passed); returns how many. */
  pruneRateLimits(nowMicros: number): Promise<number>
}
