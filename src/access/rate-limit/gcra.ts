/**
 * @module
 * The generic cell rate algorithm, as pure arithmetic: the state is one number, the theoretical arrival
 * time (TAT) of the next call. A call at `now` is allowed when max(TAT, now) + interval − now ≤ burst ×
 * interval, and then moves TAT to that value. It needs no timer and no sliding window, so one row per key
 * (rate-limit store) or one map entry (memory) holds it, and a TAT in the past means the same as no state.
 */
import type { RateLimit } from './policy.ts'

export interface GcraResult {
  allowed: boolean
  /** TAT after the call (allowed) or unchanged (refused). */
  tatMicros: number
}

export function gcraStep(tatMicros: number | undefined, nowMicros: number, limit: RateLimit): GcraResult {
  const next = Math.max(tatMicros ?? nowMicros, nowMicros) + limit.intervalMicros
  if (next - nowMicros <= capacityMicros(limit)) return { allowed: true, tatMicros: next }
  return { allowed: false, tatMicros: tatMicros ?? nowMicros }
}

export function capacityMicros(limit: RateLimit): number {
  return limit.burst * limit.intervalMicros
}

/** What the RateLimit-* and Retry-After headers say about `key` after a step. */
export interface LimitState {
  remaining: number
  /** Seconds until the allowance is full again. */
  resetSeconds: number
  /** Seconds until the next call would be allowed (refused calls). */
  retryAfterSeconds: number
}

export function limitState(result: GcraResult, nowMicros: number, limit: RateLimit): LimitState {
  const ahead = Math.max(0, result.tatMicros - nowMicros)
  const room = capacityMicros(limit) - ahead
  return {
    remaining: Math.max(0, Math.floor(room / limit.intervalMicros)),
    resetSeconds: Math.ceil(ahead / 1_000_000),
    retryAfterSeconds: Math.max(1, Math.ceil((limit.intervalMicros - room) / 1_000_000)),
  }
}
