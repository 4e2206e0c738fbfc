/**
 * @module
 * How loaded one backend looks for one function, as a cost in seconds: a peak-EWMA of the time its
 * answers took to start (Finagle's and Linkerd's load measure), raised by the mean age of calls still
 * out, so a backend that stopped answering looks slow before any of those calls ends.
 *
 * Peak: a slower answer is taken at once, faster ones pull the estimate down with a time constant, so
 * a backend that just got slow is avoided at once and trusted again gradually. The estimate also decays
 * towards zero while no answer arrives: a backend avoided for being slow is tried again after a while
 * (one answer then tells what it is like now), rather than avoided for ever on old evidence.
 *
 * Per function, not per backend: two functions on one backend can differ by orders of magnitude, and
 * what routing compares is the same function on different backends. The count of calls out is not
 * part of the cost: it grows with the share of traffic a backend is given, so comparing it would pull
 * weighted placements towards equal shares.
 */

/** Default time constant of the estimate. */
export const DECAY_MS = 2000

export class BackendLoad {
  /** Calls sent and not answered yet. */
  inflight = 0
  /** Sum of the start times (ms) of the calls out, for their mean age without keeping a list. */
  #startSum = 0
  /** The estimate, in seconds; 0 before the first answer. */
  #estimate = 0
  /** When the estimate was last updated (ms, the clock `now` reads). */
  #at = 0
  /** When a call last started or ended: idle entries are dropped by the router. */
  lastUsed = 0
  /** The function was found not ready (or absent) on this backend until then (ms). */
  unreadyUntil = 0

  readonly decayMs: number

  constructor(decayMs: number = DECAY_MS) {
    this.decayMs = decayMs
  }

  /** A call starts at `now` (ms). */
  start(now: number): void {
    this.inflight++
    this.#startSum += now
    this.lastUsed = now
  }

  /** A call that started at `startedAt` ended at `now`; `answered` records its latency in the estimate. */
  end(startedAt: number, now: number, answered: boolean): void {
    this.inflight--
    this.#startSum -= startedAt
    if (this.inflight === 0) this.#startSum = 0 // no drift from floating-point sums
    this.lastUsed = now
    if (answered) this.observe((now - startedAt) / 1000, now)
  }

  /** Records one answer time (seconds) at `now` (ms). */
  observe(seconds: number, now: number): void {
    // The old estimate's weight is what it has decayed to since; the new answer takes the rest.
    const w = Math.exp(-Math.max(0, now - this.#at) / this.decayMs)
    const decayed = this.#estimate * w
    this.#estimate = seconds > decayed ? seconds : decayed + seconds * (1 - w)
    this.#at = now
  }

  /** The cost at `now`, in seconds: the decayed estimate, or the mean age of calls out when larger. */
  cost(now: number): number {
    const estimate = this.#decayed(now)
    if (this.inflight === 0) return estimate
    const meanAge = (now - this.#startSum / this.inflight) / 1000
    return Math.max(meanAge, estimate)
  }

  #decayed(now: number): number {
    if (this.#estimate === 0) return 0
    const idle = now - this.#at
    return idle <= 0 ? this.#estimate : this.#estimate * Math.exp(-idle / this.decayMs)
  }
}
