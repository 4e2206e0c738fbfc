/**
 * @module
 * Passive health of one backend, as seen by this gateway's calls: consecutive failures (no connection,
 * no answer in time, the backend gateway's own 502/503) eject it for a back-off that doubles with each
 * ejection in a row (1 s, 2 s, 4 s … capped); once the back-off has passed it is half-open: one call at
 * a time is let through as a trial, which re-admits it or ejects it again for longer. Active probes
 * (the router's `probe`, on the gateway's tick) keep a backend that still does not answer out without
 * risking a call, and let one that answers again back in at once instead of after the back-off.
 *
 * Pure: the clock is passed in. Whether a function is left without backends is not decided here: the
 * router uses ejected backends anyway when all of a function's placements are ejected (panic mode).
 */

export interface HealthOptions {
  /** Failures in a row that eject a healthy backend. */
  failureThreshold: number
  /** First ejection's length; each ejection in a row doubles it. */
  baseEjectionMs: number
  maxEjectionMs: number
}

export const DEFAULT_HEALTH: HealthOptions = {
  failureThreshold: 3,
  baseEjectionMs: 1000,
  maxEjectionMs: 30_000,
}

export type HealthState = 'healthy' | 'ejected' | 'half-open'

/**
 * How a call was let through: `normal` to a healthy backend, `trial` as the one call a half-open
 * backend takes, `panic` to an ejected backend because nothing else was left.
 */
export type AdmissionKind = 'normal' | 'trial' | 'panic'

/** What an outcome changed, for the router's metrics and logs. */
export type HealthChange = 'ejected' | 'readmitted' | null

export interface HealthSnapshot {
  state: HealthState
  consecutiveFailures: number
  /** Ejections in a row (the back-off's exponent). */
  ejections: number
  /** When the current ejection ends (ms on the router's clock); null unless ejected. */
  ejectedUntil: number | null
  lastError: string | null
}

export class BackendHealth {
  #state: HealthState = 'healthy'
  #failures = 0
  #ejections = 0
  #until = 0
  #trialOut = false
  #admittedAt = 0
  #lastProbeFailed = false
  #lastError: string | null = null

  readonly options: HealthOptions

  constructor(options: HealthOptions = DEFAULT_HEALTH) {
    this.options = options
  }

  get state(): HealthState {
    return this.#state
  }

  /**
   * Whether a call may go to this backend at `now`, and as what; null when not (ejected, or half-open
   * with its trial still out). Only `admit` takes the trial slot; `peek` asks without taking it.
   */
  peek(now: number): 'normal' | 'trial' | null {
    if (this.#state === 'healthy') return 'normal'
    if (this.#state === 'ejected' && now >= this.#until) this.#state = 'half-open'
    if (this.#state === 'half-open' && !this.#trialOut) return 'trial'
    return null
  }

  /** Takes the admission `peek` offered (the trial slot when half-open). */
  admit(kind: AdmissionKind): void {
    if (kind === 'trial') this.#trialOut = true
  }

  /** The call answered (whatever the function's status). */
  succeeded(kind: AdmissionKind, now: number): HealthChange {
    if (kind === 'trial') this.#trialOut = false
    if (this.#state === 'healthy') {
      this.#failures = 0
      // Healthy for as long as the longest back-off: the next ejection starts from the base again.
      if (this.#ejections > 0 && now - this.#admittedAt >= this.options.maxEjectionMs) this.#ejections = 0
      return null
    }
    // A call let through while ejected or half-open answered: the backend works again. A call sent
    // before the ejection that answers late proves as much, but one good answer among failures is
    // what ejected it; only calls sent since count.
    if (kind === 'normal') return null
    this.#state = 'healthy'
    this.#failures = 0
    this.#admittedAt = now
    return 'readmitted'
  }

  /** The call failed in a way that is the backend's fault; `error` is kept for diagnostics. */
  failed(kind: AdmissionKind, now: number, error: string): HealthChange {
    if (kind === 'trial') this.#trialOut = false
    this.#lastError = error
    if (this.#state === 'healthy') {
      if (kind !== 'normal') return null
      this.#failures++
      if (this.#failures < this.options.failureThreshold) return null
      this.#eject(now)
      return 'ejected'
    }
    // Failures of calls sent before the ejection say nothing new.
    if (kind === 'normal') return null
    this.#eject(now)
    return 'ejected'
  }

  /** The call ended without telling anything about the backend (caller left, function not ready). */
  released(kind: AdmissionKind): void {
    if (kind === 'trial') this.#trialOut = false
  }

  /** Whether an active probe is worth sending: only to an ejected backend. */
  wantsProbe(): boolean {
    return this.#state === 'ejected'
  }

  /**
   * An active probe's result. Failed: the ejection is extended by the next back-off. Succeeded after a
   * failed probe: the backend came back, so it is half-open now rather than when its back-off ends
   * (a backend whose probes always pass but whose calls fail still waits out its back-off).
   */
  probed(ok: boolean, now: number, error?: string): void {
    if (this.#state === 'healthy') return
    if (ok) {
      if (this.#lastProbeFailed && this.#state === 'ejected') this.#until = now
      this.#lastProbeFailed = false
      return
    }
    this.#lastProbeFailed = true
    if (error !== undefined) this.#lastError = error
    if (this.#state === 'ejected') {
      this.#until = Math.max(this.#until, now + this.#backoff())
      if (this.#ejections < 30) this.#ejections++
    }
  }

  snapshot(): HealthSnapshot {
    return {
      state: this.#state,
      consecutiveFailures: this.#failures,
      ejections: this.#ejections,
      ejectedUntil: this.#state === 'ejected' ? this.#until : null,
      lastError: this.#lastError,
    }
  }

  #eject(now: number): void {
    this.#state = 'ejected'
    this.#until = now + this.#backoff()
    if (this.#ejections < 30) this.#ejections++
    this.#failures = 0
    this.#trialOut = false
    this.#lastProbeFailed = false
  }

  #backoff(): number {
    return Math.min(this.options.baseEjectionMs * 2 ** this.#ejections, this.options.maxEjectionMs)
  }
}
