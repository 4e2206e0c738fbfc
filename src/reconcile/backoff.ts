/**
 * @module
 * Retry spacing for failed applies: exponential from 1 s, capped at 5 minutes, so a backend that is down
 * is retried soon after it comes back without being hammered while it is down.
 */
const BASE_MS = 1000
const CAP_MS = 5 * 60 * 1000

/** Delay before the next attempt after `attempts` consecutive failures (attempts ≥ 1). */
export function retryDelayMs(attempts: number): number {
  return Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1))
}
