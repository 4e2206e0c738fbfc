/**
 * @module
 * `autoscaleOnce`: one tick of the autoscaler. Every gateway publishes its own load (the built-in
 * source); the one holding the `autoscale` lease then reads the load of every function, the desired
 * and ready replicas, the async backlog and the policy's state from the store, decides (policy.ts) and
 * writes each change through the path manual scaling takes (set-desired.ts). Each change is logged on
 * one line and kept in the scaling history; every function's last inputs are exported as metrics.
 *
 * Node and Deno run it on a timer (EDGEFAAS_AUTOSCALE_INTERVAL), Workers from `scheduled()`.
 */
import type { GatewayDeps } from '../deps.ts'
import { type AutoscaleView, functionLabel } from '../metrics/types.ts'
import { placementWeights } from '../routing/weights.ts'
import type { FunctionRecord, ScalingInputs, ScalingState } from '../store/types.ts'
import type { BuiltinSource } from './builtin-source.ts'
import { decide, type Load } from './policy.ts'
import { type ScaleDefaults, type ScalingRule, scalingRule } from './rule.ts'
import { setDesiredReplicas } from './set-desired.ts'
import type { LoadSource, SourceLoad } from './source.ts'

export const AUTOSCALE_LEASE = 'autoscale'

export interface AutoscalerOptions {
  deps: GatewayDeps
  /** null: no figures at all (Workers without EDGEFAAS_PROMETHEUS_URL): only queue backlogs are seen. */
  source: LoadSource | null
  /** The built-in source, published by every gateway each tick; null when Prometheus is the source. */
  builtin: BuiltinSource | null
  instanceId: string
  now?: () => number
}

export interface AutoscaleSummary {
  /** False when another gateway holds the lease: this one only published its load. */
  leader: boolean
  changed: number
}

export interface Autoscaler {
  autoscaleOnce(): Promise<AutoscaleSummary>
}

export function createAutoscaler(options: AutoscalerOptions): Autoscaler {
  const { deps, source, builtin, instanceId } = options
  const { store, logger } = deps
  const config = deps.config.autoscale
  const now = options.now ?? Date.now
  const defaults: ScaleDefaults = {
    target: config.target,
    targetProportion: config.targetProportion,
    zeroDurationMs: config.zeroDurationMs,
    downWindowMs: config.downWindowMs,
    maxReplicas: deps.config.maxReplicas,
  }
  let sourceFailing = false
  /**
   * The states as this gateway last decided them, while it keeps the lease: the store gets a state only
   * when it matters to a successor (see `worthStoring`), not on every tick of every function.
   */
  let held: Map<string, { state: ScalingState; stored: ScalingState | null }> | null = null

  async function readLoads(): Promise<Map<string, SourceLoad> | null> {
    if (!source) return null
    try {
      const loads = await source.read()
      if (sourceFailing) logger.info('autoscale: load source answers again', { source: source.kind })
      sourceFailing = false
      return loads
    } catch (error) {
      // Once per outage, not once per tick.
      if (!sourceFailing)
        logger.warn('autoscale: load source failed; holding replicas', { source: source.kind, error })
      sourceFailing = true
      return null
    }
  }

  return {
    async autoscaleOnce() {
      if (builtin) {
        await builtin
          .publish()
          .catch((error: unknown) => logger.warn('autoscale: publishing load failed', { error }))
      }
      const at = now()
      const ttl = Math.max(config.intervalMs * 3, 15_000)
      if (!(await store.tryAcquireLease(AUTOSCALE_LEASE, instanceId, ttl, new Date(at)))) {
        held = null
        return { leader: false, changed: 0 }
      }
      const [functions, deployments, states, backlog, loads] = await Promise.all([
        store.listFunctions(),
        store.listDeployments(),
        // A new holder starts from what the last one stored; a continuing one from its own memory.
        held ? Promise.resolve(null) : store.getScalingStates(),
        store.countBacklog(),
        readLoads(),
      ])
      if (states) {
        held = new Map(
          states.map((s) => [`${s.function}.${s.namespace}`, { state: s.state, stored: s.state }]),
        )
      }
      const memory = held ?? new Map()
      const stateOf = new Map([...memory].map(([label, h]) => [label, h.state]))
      const backlogOf = new Map(backlog.map((b) => [`${b.function}.${b.namespace}`, b.count]))
      const view = new Map<string, AutoscaleView>()
      let changed = 0

      for (const fn of functions) {
        const label = functionLabel(fn.name, fn.namespace)
        const rule = scalingRule(fn.spec.labels, defaults)
        const ready = deployments
          .filter(
            (d) =>
              d.namespace === fn.namespace && d.functionName === fn.name && fn.placement.includes(d.backend),
          )
          .reduce((sum, d) => sum + d.availableReplicas, 0)
        const queued = backlogOf.get(label) ?? 0
        const share = heaviestShare(placementWeights(fn))
        // Without figures from the source the backlog is still known (the store counts it): queue mode
        // scales on it, and the function counts as active so nothing goes to zero on a guess.
        const load =
          loads === null && rule.kind === 'metric' && rule.type === 'queue'
            ? { rps: 0, okRps: 0, inflight: 0, backlog: queued * share, cpu: null, active: true }
            : toLoad(loads, label, queued, share)
        const previous = stateOf.get(label) ?? null
        stateOf.delete(label)
        const decision = decide(rule, { now: at, current: fn.replicas, ready, load }, previous, {
          alertRepeatMs: config.alertRepeatMs,
        })
        const mode = modeOf(rule)
        view.set(label, { mode, desired: fn.replicas, ready, load: decision.load, target: decision.target })
        const kept = memory.get(label)
        if (worthStoring(kept?.stored ?? null, decision.state)) {
          await store.putScalingState(fn.namespace, fn.name, decision.state)
          memory.set(label, { state: decision.state, stored: decision.state })
        } else {
          memory.set(label, { state: decision.state, stored: kept?.stored ?? null })
        }
        if (decision.replicas === fn.replicas) continue

        const inputs: ScalingInputs = {
          mode: decision.replicas === 0 ? 'zero' : mode,
          load: decision.load,
          target: decision.target,
          ready,
          min: 'min' in rule ? rule.min : 0,
          max: 'max' in rule ? rule.max : 0,
          source: source?.kind ?? 'none',
        }
        const refused = await setDesiredReplicas(deps, fn, decision.replicas, 0)
        if (refused !== null) {
          logger.debug('autoscale: decision not applied', { function: label, reason: refused })
          continue
        }
        changed++
        view.set(label, {
          mode,
          desired: decision.replicas,
          ready,
          load: decision.load,
          target: decision.target,
        })
        await recordDecision(deps, fn, decision.replicas, decision.reason, inputs, at)
      }
      // States of functions that are gone.
      for (const key of stateOf.keys()) {
        memory.delete(key)
        const dot = key.lastIndexOf('.')
        await store.deleteScalingState(key.slice(dot + 1), key.slice(0, dot))
      }
      deps.metrics?.setAutoscaleView?.(view)
      return { leader: true, changed }
    },
  }
}

/**
 * Whether a successor needs this state now: the alert rule's state changed, the down window's highest
 * recommendation changed, or the idle clock started or stopped. The clock moves only at the edges of
 * an idle spell (it holds still while the function stays idle or stays busy), so that is at most two
 * writes per spell; and a successor (a restarted gateway, or another one taking the lease) then counts
 * `zero-duration` from the very tick this holder did, never from an idle spell that activity ended.
 */
function worthStoring(stored: ScalingState | null, next: ScalingState): boolean {
  if (!stored) return true
  if (stored.alertFiring !== next.alertFiring || stored.alertStepAt !== next.alertStepAt) return true
  const peak = (s: ScalingState) => Math.max(0, ...s.recommendations.map(([, r]) => r))
  if (peak(stored) !== peak(next)) return true
  return stored.idleSince !== next.idleSince
}

/** Keeps a change in the history, counts it, and logs it on one line. */
export async function recordDecision(
  deps: GatewayDeps,
  fn: FunctionRecord,
  replicas: number,
  reason: string,
  inputs: ScalingInputs,
  at: number,
): Promise<void> {
  const label = functionLabel(fn.name, fn.namespace)
  const direction = replicas === 0 ? 'zero' : replicas > fn.replicas ? 'up' : 'down'
  deps.metrics?.scalingDecision?.(label, direction)
  deps.logger.info('autoscale', {
    function: label,
    from: fn.replicas,
    to: replicas,
    reason,
    ...inputs,
  })
  await deps.store
    .addScalingDecision(
      {
        id: crypto.randomUUID(),
        namespace: fn.namespace,
        function: fn.name,
        at: new Date(at),
        fromReplicas: fn.replicas,
        toReplicas: replicas,
        reason,
        inputs,
      },
      deps.config.autoscale.historySize,
    )
    .catch((error: unknown) => deps.logger.warn('autoscale: could not record the decision', { error }))
}

/**
 * The load one backend must carry. Each placed backend runs the function's replica count (the store's
 * `replicas` is per backend, as manual scaling sets it), and the router splits calls by placement
 * weight, so the count must fit the backend with the heaviest share: the function's load times that
 * share. One placement: the whole load. The CE rule's threshold is the function's, so its rate is not
 * split.
 */
function toLoad(
  loads: Map<string, SourceLoad> | null,
  label: string,
  backlog: number,
  share: number,
): Load | null {
  if (loads === null) return null
  const l = loads.get(label)
  const rps = l?.rps ?? 0
  const inflight = l?.inflight ?? 0
  const started = l?.started ?? 0
  return {
    rps: rps * share,
    okRps: l?.okRps ?? 0,
    inflight: inflight * share,
    backlog: backlog * share,
    cpu: l?.cpu == null ? null : l.cpu * share,
    active: started > 0 || inflight > 0 || backlog > 0 || rps > 0,
  }
}

/** The heaviest placement's share of the weights (1 for a single placement or no weights at all). */
export function heaviestShare(weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0)
  return total > 0 ? Math.max(...weights) / total : 1
}

function modeOf(rule: ScalingRule): string {
  return rule.kind === 'metric' ? rule.type : rule.kind
}
