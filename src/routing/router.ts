/**
 * @module
 * The gateway's backend router: the state behind each routing decision (per-backend health, per
 * function and backend load, the retry budget) around the pure choice of choose-backend.ts. The proxy
 * asks it for a backend, tells it how each attempt ended, and asks before resending; the gateway's
 * tick lets it probe ejected backends. One per gateway, in memory: every gateway judges the backends
 * from its own calls, as each Envoy or Linkerd proxy does.
 *
 * Runtime-neutral and timer-free: time is read from the injected clock, and background work (probes,
 * dropping idle state) happens only when `probe()` is called, which the gateway's `tick()` does.
 */
import type { Provider } from '../../providers/types.ts'
import { probe } from '../backends/health.ts'
import type { Logger } from '../logger.ts'
import type { GatewayMetrics } from '../metrics/types.ts'
import type { FunctionRecord } from '../store/types.ts'
import { BackendLoad, DECAY_MS } from './backend-load.ts'
import { type Candidate, type ChoiceOptions, chooseCandidate, DEFAULT_CHOICE } from './choose-backend.ts'
import {
  type AdmissionKind,
  BackendHealth,
  DEFAULT_HEALTH,
  type HealthChange,
  type HealthOptions,
  type HealthSnapshot,
} from './health.ts'
import { type CallerOrigin, PROXIMITY_LEVELS, proximity } from './locality.ts'
import type { ProviderRegistry } from './registry.ts'
import { DEFAULT_RETRY_BUDGET, RetryBudget, type RetryBudgetOptions } from './retry-budget.ts'
import { placementWeights } from './weights.ts'

/** The backend-facing part of the gateway's metrics. */
export type BackendMetrics = Pick<
  GatewayMetrics,
  'backendAttempt' | 'backendEjected' | 'setBackendHealthy' | 'resend'
>

export interface RouterOptions {
  providers: ProviderRegistry
  metrics?: BackendMetrics | null
  logger?: Logger
  /** Milliseconds; Date.now by default. */
  now?: () => number
  /** [0, 1); Math.random by default. */
  random?: () => number
  health?: Partial<HealthOptions>
  budget?: Partial<RetryBudgetOptions>
  choice?: Partial<ChoiceOptions>
  /** Time constant of the load estimate. */
  decayMs?: number
  /** How long a backend that said a function is not ready (or absent) is passed over for it. */
  unreadyMs?: number
  /** Least time between two probes of one ejected backend. */
  probeIntervalMs?: number
  /** A probe that has not answered by then failed. */
  probeTimeoutMs?: number
  /** Load state of a function not called for this long is dropped (on `probe`). */
  idleMs?: number
  /** A backend's labels, for locality (`region`, `colo`); from the registry by default. */
  labelsOf?: (backend: string) => Readonly<Record<string, string>>
}

/** One attempt of a call on one backend, from `choose` until `finish`. */
export interface Attempt {
  readonly backend: string
  readonly provider: Provider
  readonly kind: AdmissionKind
  readonly startedAt: number
  readonly load: BackendLoad
}

/**
 * How an attempt ended. `answered`: the backend answered (whatever the function's status).
 * `failed`: the backend's fault (no connection, no answer in time, its gateway's own 502/503).
 * `unready`: the function is not ready or not there on that backend (nothing was sent).
 * `released`: nothing learnt about the backend (the caller left, a bad request).
 */
export type AttemptResult =
  | { kind: 'answered'; status: number }
  | { kind: 'failed'; code: string; error: string }
  | { kind: 'unready'; code: string }
  | { kind: 'released'; code: string }

export interface BackendRouter {
  /**
   * Chooses the backend for the next attempt of a call to `fn`, leaving out the backends in
   * `exclude`; null when no placement is left that this gateway can reach.
   */
  choose(fn: FunctionRecord, exclude?: readonly string[], origin?: CallerOrigin | null): Attempt | null
  /** Whether a placement of `fn` outside `exclude` is reachable from this gateway (healthy or not). */
  reachable(fn: FunctionRecord, exclude: readonly string[]): boolean
  finish(attempt: Attempt, result: AttemptResult): void
  /** A call's first attempt is going out (pays into the retry budget). */
  firstAttempt(): void
  /** Asks the retry budget for one resend; false: do not resend. */
  allowResend(): boolean
  /** The function became ready on `backend` (after a scale from zero): stop passing it over. */
  markReady(fn: FunctionRecord, backend: string): void
  /** Probes ejected backends and drops idle state; the gateway's tick calls it. Never rejects. */
  probe(): Promise<void>
  /** Health of every backend this gateway has called, by name. */
  health(): Map<string, HealthSnapshot>
  /** What this gateway has out on each backend now, summed over functions (for the dashboard). */
  load(): Map<string, BackendLoadSnapshot>
}

export interface BackendLoadSnapshot {
  /** Calls sent and not answered yet. */
  inflight: number
  /** Functions this gateway routed to the backend lately (idle ones are dropped after 10 minutes). */
  functions: number
  /** The highest per-function load estimate (peak-EWMA answer time, ms): the slowest function there. */
  peakCostMs: number
}

const UNREADY_MS = 1000
const PROBE_INTERVAL_MS = 1000
const PROBE_TIMEOUT_MS = 2000
const IDLE_MS = 10 * 60_000

/** What a function record routes over: weights and load per placement, and a reusable candidate list. */
interface RouteState {
  weights: readonly number[]
  loads: BackendLoad[]
  candidates: Candidate[]
  /** What each placement's health offered in the current choice (scratch, like `candidates`). */
  offered: Array<'normal' | 'trial' | null>
}

/** How long the backends' labels (for locality) are reused before they are read from the registry again. */
const LABELS_TTL_MS = 5000

export function createBackendRouter(options: RouterOptions): BackendRouter {
  const { providers } = options
  let labels: { at: number; byName: Map<string, Readonly<Record<string, string>>> } | null = null
  const labelsOf =
    options.labelsOf ??
    ((backend: string) => {
      const t = now()
      if (!labels || t - labels.at > LABELS_TTL_MS) {
        labels = { at: t, byName: new Map(providers.backends().map((b) => [b.name, b.labels])) }
      }
      return labels.byName.get(backend) ?? {}
    })
  const metrics = options.metrics ?? null
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const healthOptions = { ...DEFAULT_HEALTH, ...options.health }
  const choice = { ...DEFAULT_CHOICE, ...options.choice }
  const decayMs = options.decayMs ?? DECAY_MS
  const unreadyMs = options.unreadyMs ?? UNREADY_MS
  const probeIntervalMs = options.probeIntervalMs ?? PROBE_INTERVAL_MS
  const probeTimeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS
  const idleMs = options.idleMs ?? IDLE_MS
  const budget = new RetryBudget({ ...DEFAULT_RETRY_BUDGET, ...options.budget }, now())

  const healths = new Map<string, BackendHealth>()
  /** `namespace\0name` → backend → load; outlives function records (a weight change keeps the load). */
  const loads = new Map<string, Map<string, BackendLoad>>()
  const states = new WeakMap<FunctionRecord, RouteState>()
  const nextProbe = new Map<string, number>()

  function healthOf(backend: string): BackendHealth {
    let health = healths.get(backend)
    if (!health) {
      health = new BackendHealth(healthOptions)
      healths.set(backend, health)
      metrics?.setBackendHealthy(backend, true)
    }
    return health
  }

  function stateOf(fn: FunctionRecord): RouteState {
    let state = states.get(fn)
    if (!state) {
      const key = `${fn.namespace}\u0000${fn.name}`
      let byBackend = loads.get(key)
      if (!byBackend) {
        byBackend = new Map()
        loads.set(key, byBackend)
      }
      const perBackend = byBackend
      state = {
        weights: placementWeights(fn),
        loads: fn.placement.map((backend) => {
          let load = perBackend.get(backend)
          if (!load) {
            load = new BackendLoad(decayMs)
            load.lastUsed = now()
            perBackend.set(backend, load)
          }
          return load
        }),
        candidates: fn.placement.map(() => ({ weight: 0, cost: 0, tier: 0 })),
        offered: fn.placement.map(() => null),
      }
      states.set(fn, state)
    }
    return state
  }

  function begin(backend: string, provider: Provider, kind: AdmissionKind, load: BackendLoad): Attempt {
    const t = now()
    healthOf(backend).admit(kind)
    load.start(t)
    return { backend, provider, kind, startedAt: t, load }
  }

  function report(backend: string, change: HealthChange, error?: string): void {
    if (change === 'ejected') {
      metrics?.backendEjected(backend)
      metrics?.setBackendHealthy(backend, false)
      options.logger?.warn('backend ejected', { backend, error })
    } else if (change === 'readmitted') {
      metrics?.setBackendHealthy(backend, true)
      options.logger?.info('backend readmitted', { backend })
    }
  }

  async function probeOne(backend: string, provider: Provider, health: BackendHealth): Promise<void> {
    const failure = await probe(provider, probeTimeoutMs)
    if (failure === null) return health.probed(true, now())
    const message = `probe failed: ${failure}`
    health.probed(false, now(), message)
    options.logger?.debug('backend probe failed', { backend, error: message })
  }

  return {
    choose(fn, exclude, origin) {
      const { placement } = fn
      if (placement.length === 1) {
        // One placement (the local backend's usual case): nothing to choose, nothing to compute.
        const backend = placement[0]!
        const provider = exclude?.includes(backend) ? undefined : providers.get(backend)
        if (!provider) return null
        return begin(backend, provider, healthOf(backend).peek(now()) ?? 'panic', stateOf(fn).loads[0]!)
      }
      const state = stateOf(fn)
      const { offered } = state
      const t = now()
      for (let i = 0; i < placement.length; i++) {
        const backend = placement[i]!
        const candidate = state.candidates[i]!
        const load = state.loads[i]!
        offered[i] = null
        if (exclude?.includes(backend) || !providers.get(backend)) {
          candidate.tier = Number.POSITIVE_INFINITY
          continue
        }
        const admission = healthOf(backend).peek(t)
        offered[i] = admission
        // Healthy and ready first; then not ready (it may scale from zero); then ejected (panic). Inside
        // each, the nearest to the caller first (locality.ts; all equal when the origin is unknown).
        const health = (admission ? 0 : 2) + (load.unreadyUntil > t ? 1 : 0)
        candidate.tier = health * PROXIMITY_LEVELS + (origin ? proximity(labelsOf(backend), origin) : 0)
        candidate.weight = state.weights[i]!
        candidate.cost = load.cost(t)
      }
      const index = chooseCandidate(state.candidates, random, choice)
      if (index === -1) return null
      const backend = placement[index]!
      return begin(backend, providers.get(backend)!, offered[index] ?? 'panic', state.loads[index]!)
    },

    reachable(fn, exclude) {
      return fn.placement.some(
        (backend) => !exclude.includes(backend) && providers.get(backend) !== undefined,
      )
    },

    finish(attempt, result) {
      const t = now()
      const { backend, kind, load } = attempt
      load.end(attempt.startedAt, t, result.kind === 'answered')
      const health = healthOf(backend)
      const seconds = (t - attempt.startedAt) / 1000
      switch (result.kind) {
        case 'answered':
          load.unreadyUntil = 0
          metrics?.backendAttempt(backend, String(result.status), seconds)
          report(backend, health.succeeded(kind, t))
          return
        case 'failed':
          metrics?.backendAttempt(backend, result.code, seconds)
          report(backend, health.failed(kind, t, result.error), result.error)
          return
        case 'unready':
          load.unreadyUntil = t + unreadyMs
          metrics?.backendAttempt(backend, result.code, seconds)
          health.released(kind)
          return
        case 'released':
          metrics?.backendAttempt(backend, result.code, seconds)
          health.released(kind)
          return
      }
    },

    firstAttempt() {
      budget.deposit(now())
    },

    allowResend() {
      const allowed = budget.tryWithdraw(now())
      metrics?.resend(allowed ? 'sent' : 'budget_exhausted')
      return allowed
    },

    markReady(fn, backend) {
      const index = fn.placement.indexOf(backend)
      if (index !== -1) stateOf(fn).loads[index]!.unreadyUntil = 0
    },

    async probe() {
      const t = now()
      const probes: Promise<void>[] = []
      for (const [backend, health] of healths) {
        if (!health.wantsProbe() || (nextProbe.get(backend) ?? 0) > t) continue
        const provider = providers.get(backend)
        if (!provider) continue
        nextProbe.set(backend, t + probeIntervalMs)
        probes.push(probeOne(backend, provider, health))
      }
      for (const [key, byBackend] of loads) {
        let idle = true
        for (const load of byBackend.values())
          if (load.inflight > 0 || t - load.lastUsed < idleMs) idle = false
        if (idle) loads.delete(key)
      }
      await Promise.all(probes)
    },

    health() {
      return new Map([...healths].map(([backend, health]) => [backend, health.snapshot()]))
    },

    load() {
      const t = now()
      const out = new Map<string, BackendLoadSnapshot>()
      for (const byBackend of loads.values()) {
        for (const [backend, load] of byBackend) {
          const sum = out.get(backend) ?? { inflight: 0, functions: 0, peakCostMs: 0 }
          sum.inflight += load.inflight
          sum.functions += 1
          sum.peakCostMs = Math.max(sum.peakCostMs, load.cost(t) * 1000)
          out.set(backend, sum)
        }
      }
      return out
    },
  }
}
