/**
 * The rate-limit arithmetic and annotation syntax, without a gateway.
 */
import { describe, expect, it } from 'vitest'
import { gcraStep, limitState } from '../../src/access/rate-limit/gcra.ts'
import { createMemoryLimiter } from '../../src/access/rate-limit/limiter.ts'
import { parseRateLimit, type RateLimit } from '../../src/access/rate-limit/policy.ts'

const limit = (text: string) => parseRateLimit(text, 'edgefaas.dev/rate-limit') as RateLimit

describe('rate-limit annotation', () => {
  it('reads count, unit and burst', () => {
    expect(limit('100/s burst 200')).toMatchObject({
      count: 100,
      windowSeconds: 1,
      burst: 200,
      intervalMicros: 10_000,
    })
    expect(limit('600/m')).toMatchObject({
      count: 600,
      windowSeconds: 60,
      burst: 600,
      intervalMicros: 100_000,
    })
    expect(limit(' 3 / hour  BURST 1 ')).toMatchObject({ count: 3, windowSeconds: 3600, burst: 1 })
  })

  it('refuses what it cannot read, saying how to write it', () => {
    for (const bad of [
      '',
      '100',
      '0/s',
      '10/s burst 0',
      '10/d',
      '1e3/s',
      '-1/s',
      '10/s burst',
      '10/s burst 5 extra',
    ]) {
      expect(parseRateLimit(bad, 'edgefaas.dev/rate-limit'), bad).toMatch(/must read like "100\/s"/)
    }
  })
})

describe('GCRA', () => {
  it('allows the burst at once, then one call per interval', () => {
    const rate = limit('10/s burst 3')
    let tat: number | undefined
    const at = (ms: number) => {
      const result = gcraStep(tat, ms * 1000, rate)
      if (result.allowed) tat = result.tatMicros
      return result.allowed
    }
    expect([at(0), at(0), at(0), at(0)]).toEqual([true, true, true, false])
    expect(at(50)).toBe(false)
    expect(at(100)).toBe(true)
    expect(at(100)).toBe(false)
    // A long pause refills the burst, never more.
    expect([at(10_000), at(10_000), at(10_000), at(10_000)]).toEqual([true, true, true, false])
  })

  it('holds the long-run rate to count per window plus the burst', () => {
    const rate = limit('10/s burst 10')
    let tat: number | undefined
    let allowed = 0
    // A call every millisecond for 30 s.
    for (let ms = 0; ms < 30_000; ms++) {
      const result = gcraStep(tat, ms * 1000, rate)
      if (result.allowed) {
        allowed++
        tat = result.tatMicros
      }
    }
    // The burst at 0, then one every 100 ms from 100 to 29 900 (the window ends before 30 000).
    expect(allowed).toBe(10 + 299)
  })

  it('says when to retry and what remains', () => {
    const rate = limit('1/s burst 2')
    const first = gcraStep(undefined, 0, rate)
    expect(limitState(first, 0, rate)).toMatchObject({ remaining: 1, resetSeconds: 1 })
    const second = gcraStep(first.tatMicros, 0, rate)
    const third = gcraStep(second.tatMicros, 0, rate)
    expect(third.allowed).toBe(false)
    expect(limitState(third, 0, rate)).toEqual({ remaining: 0, resetSeconds: 2, retryAfterSeconds: 1 })
  })

  it('the memory limiter keeps keys apart and stays within its size', async () => {
    const limiter = createMemoryLimiter(100)
    const rate = limit('1/m burst 1')
    expect((await limiter.take('a', rate, 0)).allowed).toBe(true)
    expect((await limiter.take('a', rate, 0)).allowed).toBe(false)
    expect((await limiter.take('b', rate, 0)).allowed).toBe(true)
    for (let i = 0; i < 1000; i++) await limiter.take(`k${i}`, rate, 1)
    // "a" was evicted (least recently allowed), so it gets its burst again: eviction errs towards allowing.
    expect((await limiter.take('a', rate, 2)).allowed).toBe(true)
  })
})
