/**
 * @module
 * A function's scaling rule, read from its `com.openfaas.scale.*` labels (contract §5.1, §5.2) with the
 * gateway's defaults. Pure: the policy (policy.ts) and `/system/alert` both start here.
 *
 * - `com.openfaas.scale.type` set (rps | capacity | queue | cpu): OpenFaaS Pro's metric autoscaler.
 * - no type: OpenFaaS CE's AlertManager rule (more than 5 calls/s over 10 s steps up by `factor`% of max;
 *   resolved goes back to min), so CE users and OpenFaaS's own tests see what they expect.
 * - min = max: static, never autoscaled. `factor=0` (CE's way of switching the alert off): disabled.
 * - `scale.zero=true` adds scale to zero after `zero-duration` without a call, in either mode.
 */
import { parseDurationMs } from '../contract/duration.ts'
import { SCALE_MAX_LABEL, SCALE_MIN_LABEL } from '../contract/labels.ts'

export const SCALE_TYPE_LABEL = 'com.openfaas.scale.type'
export const SCALE_TARGET_LABEL = 'com.openfaas.scale.target'
export const SCALE_PROPORTION_LABEL = 'com.openfaas.scale.target-proportion'
export const SCALE_FACTOR_LABEL = 'com.openfaas.scale.factor'
export const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero'
export const SCALE_ZERO_DURATION_LABEL = 'com.openfaas.scale.zero-duration'
export const SCALE_DOWN_WINDOW_LABEL = 'com.openfaas.scale.down.window'

export const SCALE_TYPES = ['rps', 'capacity', 'queue', 'cpu'] as const
export type ScaleType = (typeof SCALE_TYPES)[number]

/** OpenFaaS caps the down window at 5 minutes. */
export const MAX_DOWN_WINDOW_MS = 300_000
/** CE's alert rule: `rate(gateway_function_invocation_total{code="200"}[10s]) > 5`. */
export const ALERT_RPS_THRESHOLD = 5

/** The gateway-wide defaults (configuration), used where a label is absent. */
export interface ScaleDefaults {
  /** Target load per replica (OpenFaaS Pro chart: 50). */
  target: number
  /** Multiplier on the target (OpenFaaS Pro: 0.90). */
  targetProportion: number
  /** Idle time before a `scale.zero=true` function goes to 0 (OpenFaaS Pro: 15m). */
  zeroDurationMs: number
  /** Default `com.openfaas.scale.down.window` (metric rules); 0: scale down at once. */
  downWindowMs: number
  /** Upper bound on any replica count (EDGEFAAS_MAX_REPLICAS). */
  maxReplicas: number
}

interface Common {
  min: number
  max: number
  /** null: never scaled to zero. */
  zeroAfterMs: number | null
}

export type ScalingRule =
  | { kind: 'disabled'; reason: string }
  | ({ kind: 'static' } & Common)
  | ({ kind: 'alert'; factor: number } & Common)
  | ({
      kind: 'metric'
      type: ScaleType
      target: number
      targetProportion: number
      /** 0: scale down at once. */
      downWindowMs: number
    } & Common)

/** Reads the rule from `labels`; a label with a bad value falls back to the default, as OpenFaaS does. */
export function scalingRule(
  labels: Record<string, string> | null | undefined,
  defaults: ScaleDefaults,
): ScalingRule {
  const l = labels ?? {}
  const type = l[SCALE_TYPE_LABEL]?.trim().toLowerCase()
  const metric = type !== undefined && type !== ''
  const cap = defaults.maxReplicas
  // CE's defaults: min 1, max 5 (the alert rule); Pro's max is 20.
  // A computed 0 is raised to min and min to 1: only the scale-to-zero rule reaches 0 (contract §5.2).
  const min = Math.min(Math.max(wholeNumber(l[SCALE_MIN_LABEL], 0) ?? 1, 1), cap)
  const max = Math.max(Math.min(wholeNumber(l[SCALE_MAX_LABEL], 1) ?? (metric ? 20 : 5), cap), min)
  const zero = l[SCALE_ZERO_LABEL]?.trim().toLowerCase() === 'true'
  const zeroAfterMs = zero ? (duration(l[SCALE_ZERO_DURATION_LABEL]) ?? defaults.zeroDurationMs) : null
  const common = { min, max, zeroAfterMs }
  if (min === max && !zero) return { kind: 'static', ...common }
  if (!metric) {
    const factorText = l[SCALE_FACTOR_LABEL]
    // Not a whole number: CE's default. Outside 1–100: CE skips the alert; factor=0 is how CE users
    // switch scaling off.
    const factor = wholeNumber(factorText, 0) ?? 10
    if (factor < 1 || factor > 100) {
      return { kind: 'disabled', reason: `${SCALE_FACTOR_LABEL}=${factorText} (outside 1–100)` }
    }
    return { kind: 'alert', factor, ...common }
  }
  if (!(SCALE_TYPES as readonly string[]).includes(type)) {
    return { kind: 'disabled', reason: `${SCALE_TYPE_LABEL}=${type} is not one of ${SCALE_TYPES.join(', ')}` }
  }
  return {
    kind: 'metric',
    type: type as ScaleType,
    target: positive(l[SCALE_TARGET_LABEL]) ?? defaults.target,
    targetProportion: positive(l[SCALE_PROPORTION_LABEL]) ?? defaults.targetProportion,
    downWindowMs: Math.min(duration(l[SCALE_DOWN_WINDOW_LABEL]) ?? defaults.downWindowMs, MAX_DOWN_WINDOW_MS),
    ...common,
  }
}

function wholeNumber(text: string | undefined, least: number): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null
  const value = Number(text)
  return value >= least ? value : null
}

function positive(text: string | undefined): number | null {
  if (text === undefined) return null
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : null
}

function duration(text: string | undefined): number | null {
  return text === undefined ? null : parseDurationMs(text)
}
