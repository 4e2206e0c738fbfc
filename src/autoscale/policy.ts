/**
 * @module
 * The scaling decision for one function on one tick: a pure function of its rule (rule.ts), what the
 * store says (desired and ready replicas), the load measured over the window, and the little state kept
 * between ticks (when it was last active, the down window's recommendations, the alert rule's state).
 *
 * - metric rule (contract §5.2): `desired = ceil(ready × meanLoadPerReplica / (target × proportion))`,
 *   which is `ceil(totalLoad / (target × proportion))`, clamped to [min, max]; up at once, down only to
 *   the highest recommendation seen in the down window.
 * - alert rule (contract §5.1): firing (calls with code 200 above 5/s) steps up by `ceil(max × factor /
 *   100)`, again every `alertRepeatMs` while it keeps firing; the tick it resolves, back to min. It acts
 *   on the transitions only, as AlertManager does, so a replica count set by hand stands until load says
 *   otherwise.
 * - scale to zero: with `scale.zero=true`, once `zero-duration` has passed on the idle clock: since the
 *   first tick that found no call started within the window, none in flight and no async call waiting
 *   (the async backlog is activity). A function at 0 stays there: scale from zero is the data plane's
 *   (src/invoke/scale-from-zero.ts).
 * - no load figure (the source failed or cannot measure it): hold, and never go to zero on a guess.
 */
import type { ScalingState } from '../store/autoscale/types.ts'
import { ALERT_RPS_THRESHOLD, type ScaleType, type ScalingRule } from './rule.ts'

/** The load of one function over the window, summed over every gateway and replica. */
export interface Load {
  /** Completed calls per second, every status. */
  rps: number
  /** Completed calls per second answered 200 (what CE's alert counts). */
  okRps: number
  /** Calls in flight (mean over the window where the source can tell). */
  inflight: number
  /** Async calls queued or running. */
  backlog: number
  /** Milli-CPU used by the replicas; null where the backend does not report it. */
  cpu: number | null
  /** A call started within the window, or one is in flight or queued. */
  active: boolean
}

export type { ScalingState }

export interface Observation {
  now: number
  /** Desired replicas as stored: what manual scaling, scale from zero and the autoscaler all write. */
  current: number
  /** Ready replicas over every backend. */
  ready: number
  /** null: no figure this tick (source down or unreachable). */
  load: Load | null
}

export interface Decision {
  /** Desired replicas; equal to `current` when nothing changes. */
  replicas: number
  /** Why, in a few words, for the log line and the history. */
  reason: string
  /** The load figure the rule used (calls/s, in flight, queued, milli-CPU); null when none. */
  load: number | null
  /** Load per replica the rule aims at (`target × proportion`, or the alert threshold); null for none. */
  target: number | null
  state: ScalingState
}

export interface PolicyOptions {
  /** The alert rule steps up again after this long while it keeps firing (AlertManager's repeat). */
  alertRepeatMs: number
}

export function initialState(): ScalingState {
  return { idleSince: null, recommendations: [], alertFiring: false, alertStepAt: 0 }
}

/**
 * The idle clock after this tick. It starts at the first tick that finds the function idle, not at the
 * last tick that found it active: every source reports a little behind the calls (Prometheus by a
 * scrape and the two samples a rate needs, other gateways' counters by a tick), so the calls made
 * between the last active tick and the next one can be seen by no tick at all. The last call the
 * gateway took happened before the first tick that finds it idle, wherever it fell between ticks, so
 * counting from that tick never honours `zero-duration` early; it can be late by the source's window
 * (the rule waits for activity to leave the window before the clock starts), which is the side to err
 * on: the user set `zero-duration` to spare the function a cold start right after it went quiet.
 *
 * A tick without figures (the source failed) may have had calls: it counts as active, so a source that
 * comes back after an outage does not find everything idle since before it.
 */
function idleClock(idleSince: number | null, load: Load | null, now: number): number | null {
  if (load === null || load.active) return null
  return idleSince ?? now
}

export function decide(
  rule: ScalingRule,
  observation: Observation,
  previous: ScalingState | null,
  options: PolicyOptions,
): Decision {
  const { now, current, load } = observation
  const state: ScalingState = { ...(previous ?? initialState()) }
  // A state stored by an older gateway reads with no clock (the store's toState, store/autoscale/sql.ts).
  state.idleSince = idleClock(state.idleSince, load, now)
  const hold = (reason: string, figure: number | null = null, target: number | null = null): Decision => ({
    replicas: current,
    reason,
    load: figure,
    target,
    state,
  })

  if (rule.kind === 'disabled') return hold(`scaling disabled: ${rule.reason}`)
  if (current === 0) {
    state.recommendations = []
    state.alertFiring = false
    // The idle clock restarts when it wakes: the waking call may not show in the load for a tick or two
    // (a scrape behind), and must not find the function idle since before it went to zero. The first
    // tick that finds it awake and idle starts the clock again, and that tick is after the waking call.
    state.idleSince = null
    return hold('at zero: the next call scales it up')
  }
  if (rule.zeroAfterMs !== null && state.idleSince !== null) {
    const idleMs = now - state.idleSince
    if (idleMs >= rule.zeroAfterMs) {
      state.recommendations = []
      state.alertFiring = false
      return {
        replicas: 0,
        reason: `idle for ${seconds(idleMs)}: scale to zero`,
        load: 0,
        target: null,
        state,
      }
    }
  }
  if (rule.kind === 'static') return hold('static: min = max')
  if (load === null) return hold('no load figure: holding')

  if (rule.kind === 'alert') {
    const firing = load.okRps > ALERT_RPS_THRESHOLD
    if (firing && (!state.alertFiring || now - state.alertStepAt >= options.alertRepeatMs)) {
      const step = Math.ceil((rule.max / 100) * rule.factor)
      state.alertFiring = true
      state.alertStepAt = now
      const replicas = Math.min(current + step, rule.max)
      return {
        replicas,
        reason: `alert firing: ${round(load.okRps)} calls/s > ${ALERT_RPS_THRESHOLD}, +${step}`,
        load: load.okRps,
        target: ALERT_RPS_THRESHOLD,
        state,
      }
    }
    if (!firing && state.alertFiring) {
      state.alertFiring = false
      return {
        replicas: rule.min,
        reason: `alert resolved: ${round(load.okRps)} calls/s, back to min`,
        load: load.okRps,
        target: ALERT_RPS_THRESHOLD,
        state,
      }
    }
    return hold(
      firing ? 'alert firing: waiting to repeat' : 'alert not firing',
      load.okRps,
      ALERT_RPS_THRESHOLD,
    )
  }

  const figure = loadFor(rule.type, load)
  const target = rule.target * rule.targetProportion
  if (figure === null) return hold(`no ${rule.type} figure from the source: holding`, null, target)
  const wanted = clamp(Math.ceil(round(figure / target)), rule.min, rule.max)
  state.recommendations = [...state.recommendations, [now, wanted] as [number, number]].filter(
    ([at]) => now - at <= rule.downWindowMs,
  )
  let replicas = wanted
  let reason = `${rule.type} ${round(figure)} / (${round(target)} per replica) → ${wanted}`
  if (wanted < current && rule.downWindowMs > 0) {
    const highest = Math.max(...state.recommendations.map(([, r]) => r))
    replicas = Math.min(current, highest)
    if (replicas !== wanted) reason += `, held at ${replicas} by the down window`
  }
  return { replicas, reason, load: figure, target, state }
}

function loadFor(type: ScaleType, load: Load): number | null {
  switch (type) {
    case 'rps':
      return load.rps
    case 'capacity':
      return load.inflight
    case 'queue':
      return load.backlog
    case 'cpu':
      return load.cpu
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}

/** Two decimals: a rate of 15.000000001 calls/s must not become 4 replicas of 5. */
function round(value: number): number {
  return Math.round(value * 100) / 100
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`
}
