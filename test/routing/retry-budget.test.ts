/**
 * The retry budget: within any 10 s, 20% of the first attempts plus a reserve of 10/s; deposits and
 * resends age out, so quiet time saves no burst beyond the reserve.
 */
import { describe, expect, it } from 'vitest'
import { RetryBudget } from '../../src/routing/retry-budget.ts'

const options = { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 }

describe('RetryBudget', () => {
  it('allows about 20% resends under steady traffic that always fails over', () => {
    // 1000 calls/s for 30 s, each wanting one resend.
    const budget = new RetryBudget(options, 0)
    let resends = 0
    for (let t = 0; t < 30_000; t++) {
      budget.deposit(t)
      if (budget.tryWithdraw(t)) resends++
    }
    // 20% of 30,000, plus the reserve: 10/s.
    expect(resends).toBeLessThanOrEqual(6000 + 300)
    expect(resends).toBeGreaterThanOrEqual(6000)
  })

  it('pays for every call cut by one crash from what the last seconds of traffic earned', () => {
    // 200 calls/s for 10 s, then 120 calls in flight on the crashed backend all want a resend at once.
    const budget = new RetryBudget(options, 0)
    for (let t = 0; t < 10_000; t += 5) budget.deposit(t)
    let resent = 0
    for (let i = 0; i < 120; i++) if (budget.tryWithdraw(10_000)) resent++
    expect(resent).toBe(120)
  })

  it('still allows the reserve when there is almost no traffic, and refills as resends age out', () => {
    const budget = new RetryBudget(options, 0)
    for (let i = 0; i < 100; i++) expect(budget.tryWithdraw(0)).toBe(true)
    expect(budget.tryWithdraw(0)).toBe(false)
    expect(budget.tryWithdraw(9_999)).toBe(false) // still in the same window
    expect(budget.tryWithdraw(10_000)).toBe(true) // the first second's resends aged out
  })

  it('an hour of quiet does not allow a storm of resends: only the reserve', () => {
    const budget = new RetryBudget(options, 0)
    for (let t = 0; t < 10_000; t++) budget.deposit(t)
    expect(budget.balance(9_999)).toBe(100 + 2000)
    expect(budget.balance(3_600_000)).toBe(100)
  })

  it('with a 0% ratio allows only the reserve', () => {
    const budget = new RetryBudget({ ...options, ratio: 0 }, 0)
    let resends = 0
    for (let t = 0; t < 2000; t++) {
      budget.deposit(t)
      if (budget.tryWithdraw(t)) resends++
    }
    expect(resends).toBe(100)
  })
})
