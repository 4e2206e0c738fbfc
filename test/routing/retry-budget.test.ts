/** The retry budget: 20% of first attempts plus a floor per second, capped so quiet time saves no burst. */
import { describe, expect, it } from 'vitest'
import { RetryBudget } from '../../src/routing/retry-budget.ts'

describe('RetryBudget', () => {
  it('allows about 20% resends under steady traffic that always fails over', () => {
    // 1000 calls/s for 10 s, each wanting one resend.
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, maxBalance: 20 }, 0)
    let resends = 0
    for (let i = 0; i < 10_000; i++) {
      const t = i // 1 ms apart
      budget.deposit(t)
      if (budget.tryWithdraw(t)) resends++
    }
    // 20% of 10,000, plus 10/s for 10 s, plus the starting balance of 10.
    expect(resends).toBeLessThanOrEqual(2000 + 100 + 10)
    expect(resends).toBeGreaterThanOrEqual(2000)
  })

  it('still allows the floor when there is almost no traffic', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, maxBalance: 20 }, 0)
    for (let i = 0; i < 10; i++) expect(budget.tryWithdraw(0)).toBe(true)
    expect(budget.tryWithdraw(0)).toBe(false)
    expect(budget.tryWithdraw(100)).toBe(true) // 0.1 s later: one more token
    expect(budget.tryWithdraw(100)).toBe(false)
  })

  it('caps the balance, so an hour of quiet does not allow a storm of resends', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, maxBalance: 20 }, 0)
    expect(budget.balance(3_600_000)).toBe(20)
  })

  it('with a 0% ratio allows only the floor', () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 10, maxBalance: 10 }, 0)
    let resends = 0
    for (let t = 0; t < 2000; t++) {
      budget.deposit(t)
      if (budget.tryWithdraw(t)) resends++
    }
    expect(resends).toBeLessThanOrEqual(30)
  })
})
