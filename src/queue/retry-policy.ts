/**
 * @module
 * When an asynchronous call is tried again, and after how long. Defaults from config, overridden per
 * function by the OpenFaaS Pro annotations `com.openfaas.retry.attempts|codes|min_wait|max_wait`.
 * `attempts` counts retries after the first try, as OpenFaaS's `maxRetryAttempts` does.
 */
import { parseDurationMs } from '../contract/duration.ts'

export type BackoffMode = 'exponential' | 'full' | 'equal'

export interface RetryPolicy {
  attempts: number
  codes: ReadonlySet<number>
  minWaitMs: number
  maxWaitMs: number
  backoff: BackoffMode
}

export const DEFAULT_RETRY_CODES = [408, 429, 500, 502, 503, 504]

/** The policy for a function: `defaults` with its annotations applied; a string names a bad annotation. */
export function retryPolicyFor(
  defaults: RetryPolicy,
  annotations: Record<string, string> | null | undefined,
): RetryPolicy | string {
  const a = annotations ?? {}
  const policy = { ...defaults }
  const attempts = a['com.openfaas.retry.attempts']
  if (attempts !== undefined) {
    if (!/^\d+$/.test(attempts) || Number(attempts) > 1000)
      return 'com.openfaas.retry.attempts must be a whole number from 0 to 1000'
    policy.attempts = Number(attempts)
  }
  const codes = a['com.openfaas.retry.codes']
  if (codes !== undefined) {
    const parsed = parseCodes(codes)
    if (!parsed) return 'com.openfaas.retry.codes must be a comma-separated list of HTTP status codes'
    policy.codes = parsed
  }
  for (const [key, field] of [
    ['com.openfaas.retry.min_wait', 'minWaitMs'],
    ['com.openfaas.retry.max_wait', 'maxWaitMs'],
  ] as const) {
    const value = a[key]
    if (value === undefined) continue
    const ms = parseDurationMs(value)
    if (ms === null) return `${key} must be a duration such as 10s or 2m`
    policy[field] = ms
  }
  if (policy.maxWaitMs < policy.minWaitMs) return 'com.openfaas.retry.max_wait must not be below min_wait'
  return policy
}

export function parseCodes(text: string): Set<number> | null {
  const codes = new Set<number>()
  for (const part of text.split(',')) {
    const code = Number(part.trim())
    if (!Number.isInteger(code) || code < 100 || code > 599) return null
    codes.add(code)
  }
  return codes
}

/**
 * Delay before retry number `retry` (1 for the first retry). A `Retry-After` (seconds or HTTP date) on
 * 429/503 replaces the backoff but never goes below the minimum wait.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  retryAfter: string | null,
  status: number,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  if (retryAfter && (status === 429 || status === 503)) {
    const asked = parseRetryAfter(retryAfter, now)
    if (asked !== null) return Math.max(policy.minWaitMs, Math.min(asked, 3_600_000))
  }
  const exponential = Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** Math.max(0, retry - 1))
  if (policy.backoff === 'full') return Math.floor(random() * exponential)
  if (policy.backoff === 'equal') return Math.floor(exponential / 2 + random() * (exponential / 2))
  return exponential
}

function parseRetryAfter(value: string, now: number): number | null {
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}
