/**
 * @module
 * The retry budget (as Finagle's and Linkerd's): resends may add at most `ratio` to the calls sent,
 * plus a small floor per second so a gateway with little traffic can still fail a call over. Each
 * first attempt deposits `ratio` of a token, each resend spends one; the floor refills at `minPerSecond`.
 * The balance is capped so a quiet period does not save up a burst of resends. When a fleet is
 * struggling and every backend fails, calls fail instead of each one being sent to every backend.
 *
 * Pure: the clock is passed in.
 */

export interface RetryBudgetOptions {
  /** Share of first attempts that may be resent (0.2: at most 20% more calls). */
  ratio: number
  /** Resends per second allowed whatever the traffic. */
  minPerSecond: number
  /** Most tokens ever held. */
  maxBalance: number
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, minPerSecond: 10, maxBalance: 20 }

export class RetryBudget {
  readonly options: RetryBudgetOptions
  #balance: number
  #at: number

  constructor(options: RetryBudgetOptions, now: number) {
    this.options = options
    this.#balance = Math.min(options.minPerSecond, options.maxBalance)
    this.#at = now
  }

  /** A first attempt was sent. */
  deposit(now: number): void {
    this.#refill(now)
    this.#balance = Math.min(this.options.maxBalance, this.#balance + this.options.ratio)
  }

  /** Takes one token for a resend; false when the budget is spent (do not resend). */
  tryWithdraw(now: number): boolean {
    this.#refill(now)
    if (this.#balance < 1) return false
    this.#balance -= 1
    return true
  }

  /** Tokens available now (for tests and diagnostics). */
  balance(now: number): number {
    this.#refill(now)
    return this.#balance
  }

  #refill(now: number): void {
    const elapsed = now - this.#at
    if (elapsed <= 0) return
    this.#at = now
    const floor = (elapsed / 1000) * this.options.minPerSecond
    this.#balance = Math.min(this.options.maxBalance, this.#balance + floor)
  }
}
