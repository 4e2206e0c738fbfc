import { describe, expect, it } from 'vitest'
import { type RetryPolicy, retryDelayMs, retryPolicyFor } from '../../src/queue/retry-policy.ts'

const defaults: RetryPolicy = {
  attempts: 10,
  codes: new Set([429, 500]),
  minWaitMs: 1000,
  maxWaitMs: 8000,
  backoff: 'exponential',
}

describe('retry policy', () => {
  it('applies the OpenFaaS annotations', () => {
    const p = retryPolicyFor(defaults, {
      'com.openfaas.retry.attempts': '3',
      'com.openfaas.retry.codes': '502, 504',
      'com.openfaas.retry.min_wait': '50ms',
      'com.openfaas.retry.max_wait': '2s',
    })
    expect(p).toEqual({
      attempts: 3,
      codes: new Set([502, 504]),
      minWaitMs: 50,
      maxWaitMs: 2000,
      backoff: 'exponential',
    })
  })
  it.each([
    [{ 'com.openfaas.retry.attempts': 'many' }, /attempts/],
    [{ 'com.openfaas.retry.codes': '5xx' }, /codes/],
    [{ 'com.openfaas.retry.min_wait': 'soon' }, /min_wait/],
    [
      { 'com.openfaas.retry.min_wait': '10s', 'com.openfaas.retry.max_wait': '1s' },
      /max_wait must not be below/,
    ],
  ])('names a bad annotation %o', (annotations, message) => {
    expect(retryPolicyFor(defaults, annotations)).toMatch(message)
  })
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, defaults, null, 500))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ])
  })
  it('full and equal jitter stay in their bands', () => {
    expect(retryDelayMs(3, { ...defaults, backoff: 'full' }, null, 500, () => 0.5)).toBe(2000)
    expect(retryDelayMs(3, { ...defaults, backoff: 'equal' }, null, 500, () => 0)).toBe(2000)
    expect(retryDelayMs(3, { ...defaults, backoff: 'equal' }, null, 500, () => 0.999)).toBeLessThan(4000)
  })
  it('honours Retry-After on 429/503, never below the minimum wait', () => {
    expect(retryDelayMs(1, defaults, '5', 429)).toBe(5000)
    expect(retryDelayMs(1, defaults, '0', 503)).toBe(1000)
    expect(retryDelayMs(1, defaults, new Date(10_000).toUTCString(), 503, Math.random, 0)).toBe(10_000)
    expect(retryDelayMs(1, defaults, '5', 500)).toBe(1000)
  })
})
