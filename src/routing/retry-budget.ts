/**
 * @module
 * The retry budget (as Finagle's and Linkerd's): within any window of `windowMs`, resends may add at
 * most `ratio` of the first attempts sent in that window, plus a reserve of `minPerSecond` per second of
 * the window, so a gateway with little traffic can still fail calls over. Deposits and withdrawals both
 * age out with the window, so quiet time saves no burst beyond the reserve, and the calls cut by one
 * backend crash (all in flight at once) can all be resent from what the traffic of the last seconds
 * earned. When a fleet is struggling and every backend fails, calls fail instead of each one being sent
 * to every backend.
 *
 * Counted in one-second slots (a ring), so each operation is O(1) and the memory fixed.
 * Pure: the clock is passed in.
 */

export interface RetryBudgetOptions {
  /** Share of first attempts that may be resent (0.2: at most 20% more calls). */
  ratio: number
  /** Resends per second allowed whatever the traffic (the reserve is this times the window). */
  minPerSecond: number
  /** How long a deposit or a withdrawal counts. */
  windowMs: number
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 }

const SLOT_MS = 1000

export class RetryBudget {
  readonly options: RetryBudgetOptions
  readonly #firstAttempts: Float64Array
  readonly #resends: Float64Array
  readonly #reserve: number
  /** The slot number (time / SLOT_MS) last written; older slots in the ring are cleared on the way. */
  #slot: number

  constructor(options: RetryBudgetOptions, now: number) {
    this.options = options
    const slots = Math.max(1, Math.ceil(options.windowMs / SLOT_MS))
    this.#firstAttempts = new Float64Array(slots)
    this.#resends = new Float64Array(slots)
    this.#reserve = (options.minPerSecond * slots * SLOT_MS) / 1000
    this.#slot = Math.floor(now / SLOT_MS)
  }

  /** A first attempt was sent. */
  deposit(now: number): void {
    this.#firstAttempts[this.#advance(now)]! += 1
  }

  /** Takes one token for a resend; false when the budget is spent (do not resend). */
  tryWithdraw(now: number): boolean {
    const index = this.#advance(now)
    if (this.#balance() < 1) return false
    this.#resends[index]! += 1
    return true
  }

  /** Resends allowed now (for tests and diagnostics). */
  balance(now: number): number {
    this.#advance(now)
    return this.#balance()
  }

  #balance(): number {
    let attempts = 0
    let resends = 0
    for (let i = 0; i < this.#firstAttempts.length; i++) {
      attempts += this.#firstAttempts[i]!
      resends += this.#resends[i]!
    }
    return this.#reserve + this.options.ratio * attempts - resends
  }

  /** Moves the ring to `now`'s slot, clearing the slots that fell out of the window; its index. */
  #advance(now: number): number {
    const slots = this.#firstAttempts.length
    const slot = Math.floor(now / SLOT_MS)
    if (slot > this.#slot) {
      const stale = Math.min(slot - this.#slot, slots)
      for (let i = 1; i <= stale; i++) {
        const index = (this.#slot + i) % slots
        this.#firstAttempts[index] = 0
        this.#resends[index] = 0
      }
      this.#slot = slot
    }
    // A clock that stepped back counts in the newest slot.
    return this.#slot % slots
  }
}
