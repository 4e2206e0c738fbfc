/**
 * @module
 * The autoscaler's configuration: its `EDGEFAAS_*` variables (validated with the rest in src/config.ts)
 * and the typed `AutoscaleConfig` built from them. Durations are Go durations (`5s`, `15m`) or seconds.
 */
import { z } from 'zod'
import { parseDurationMs } from '../contract/duration.ts'
import type { PrometheusAuth } from './prometheus-client.ts'

const duration = (minMs: number, maxMs: number) =>
  z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text)
    if (ms === null || ms < minMs || ms > maxMs) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration such as 5s or 15m, from ${minMs / 1000}s to ${maxMs / 1000}s`,
      })
      return z.NEVER
    }
    return ms
  })

const number = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, { message: 'must be a number' })
    .transform(Number)
    .pipe(z.number().min(min).max(max))

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

/** The variables, spread into the config schema. */
export const AUTOSCALE_ENV = {
  EDGEFAAS_AUTOSCALE: flag.default(true),
  EDGEFAAS_AUTOSCALE_INTERVAL: duration(100, 600_000).default(5000),
  EDGEFAAS_AUTOSCALE_WINDOW: duration(1000, 600_000).default(10_000),
  EDGEFAAS_SCALE_ZERO_DURATION: duration(1000, 30 * 86_400_000).default(900_000),
  EDGEFAAS_SCALE_TARGET: number(0.001, 1_000_000).default(50),
  EDGEFAAS_SCALE_TARGET_PROPORTION: number(0.01, 10).default(0.9),
  EDGEFAAS_SCALE_DOWN_WINDOW: duration(0, 300_000).default(30_000),
  EDGEFAAS_SCALE_ALERT_REPEAT: duration(1000, 3_600_000).default(10_000),
  EDGEFAAS_SCALE_HISTORY: z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(10_000))
    .default(50),
  EDGEFAAS_PROMETHEUS_URL: z
    .string()
    .url({ message: 'must be an http(s) URL such as http://prometheus:9090' })
    .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL' })
    .optional(),
  EDGEFAAS_PROMETHEUS_USER: z.string().min(1).optional(),
  EDGEFAAS_PROMETHEUS_PASSWORD: z.string().min(1).optional(),
  EDGEFAAS_PROMETHEUS_TOKEN: z.string().min(1).optional(),
  EDGEFAAS_PROMETHEUS_TIMEOUT: duration(100, 60_000).default(3000),
}

type Env = z.output<z.ZodObject<typeof AUTOSCALE_ENV>>

export interface AutoscaleConfig {
  /** false: no autoscale tick (scale from zero, manual scaling and /system/alert still work). */
  enabled: boolean
  /** How often the tick runs. */
  intervalMs: number
  /** The window load is measured over (rates, mean in-flight). */
  windowMs: number
  /** Default `com.openfaas.scale.zero-duration`. */
  zeroDurationMs: number
  /** Default `com.openfaas.scale.target`. */
  target: number
  /** Default `com.openfaas.scale.target-proportion`. */
  targetProportion: number
  /** Default `com.openfaas.scale.down.window`. */
  downWindowMs: number
  /** While CE's rule keeps firing, it steps up again after this long. */
  alertRepeatMs: number
  /** Decisions kept per function in the scaling history. */
  historySize: number
  /** null: the built-in source (the gateways' own counters). */
  prometheus: { url: string; auth: PrometheusAuth | null; timeoutMs: number } | null
}

/** The typed config; returns a message instead when the variables contradict each other. */
export function autoscaleConfig(e: Env): AutoscaleConfig | string {
  const basic = e.EDGEFAAS_PROMETHEUS_USER !== undefined || e.EDGEFAAS_PROMETHEUS_PASSWORD !== undefined
  if (basic && (e.EDGEFAAS_PROMETHEUS_USER === undefined || e.EDGEFAAS_PROMETHEUS_PASSWORD === undefined)) {
    return 'EDGEFAAS_PROMETHEUS_USER and EDGEFAAS_PROMETHEUS_PASSWORD go together'
  }
  if (basic && e.EDGEFAAS_PROMETHEUS_TOKEN !== undefined) {
    return 'EDGEFAAS_PROMETHEUS_TOKEN and EDGEFAAS_PROMETHEUS_USER/PASSWORD exclude each other'
  }
  if (!e.EDGEFAAS_PROMETHEUS_URL && (basic || e.EDGEFAAS_PROMETHEUS_TOKEN !== undefined)) {
    return 'EDGEFAAS_PROMETHEUS_* credentials need EDGEFAAS_PROMETHEUS_URL'
  }
  // A call between two ticks must fall in some tick's window, or an idle check could miss it.
  if (e.EDGEFAAS_AUTOSCALE_WINDOW < e.EDGEFAAS_AUTOSCALE_INTERVAL) {
    return 'EDGEFAAS_AUTOSCALE_WINDOW must be at least EDGEFAAS_AUTOSCALE_INTERVAL'
  }
  const auth: PrometheusAuth | null =
    e.EDGEFAAS_PROMETHEUS_USER !== undefined && e.EDGEFAAS_PROMETHEUS_PASSWORD !== undefined
      ? { kind: 'basic', user: e.EDGEFAAS_PROMETHEUS_USER, password: e.EDGEFAAS_PROMETHEUS_PASSWORD }
      : e.EDGEFAAS_PROMETHEUS_TOKEN !== undefined
        ? { kind: 'bearer', token: e.EDGEFAAS_PROMETHEUS_TOKEN }
        : null
  return {
    enabled: e.EDGEFAAS_AUTOSCALE,
    intervalMs: e.EDGEFAAS_AUTOSCALE_INTERVAL,
    windowMs: e.EDGEFAAS_AUTOSCALE_WINDOW,
    zeroDurationMs: e.EDGEFAAS_SCALE_ZERO_DURATION,
    target: e.EDGEFAAS_SCALE_TARGET,
    targetProportion: e.EDGEFAAS_SCALE_TARGET_PROPORTION,
    downWindowMs: e.EDGEFAAS_SCALE_DOWN_WINDOW,
    alertRepeatMs: e.EDGEFAAS_SCALE_ALERT_REPEAT,
    historySize: e.EDGEFAAS_SCALE_HISTORY,
    prometheus: e.EDGEFAAS_PROMETHEUS_URL
      ? { url: e.EDGEFAAS_PROMETHEUS_URL, auth, timeoutMs: e.EDGEFAAS_PROMETHEUS_TIMEOUT }
      : null,
  }
}
