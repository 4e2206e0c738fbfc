/**
 * @module
 * Builds a gateway's autoscaler from its configuration: the Prometheus source when
 * EDGEFAAS_PROMETHEUS_URL is set, otherwise the built-in one, which listens to the proxy's metric calls
 * (so it needs the runtime's metrics registry; Workers has none and, without Prometheus, no source).
 */
import type { GatewayDeps } from '../deps.ts'
import type { GatewayMetrics } from '../metrics/types.ts'
import { type Autoscaler, createAutoscaler } from './autoscaler.ts'
import { type BuiltinSource, createBuiltinSource } from './builtin-source.ts'
import { createLoadRecorder, type LoadRecorder } from './load-recorder.ts'
import { createPrometheusClient } from './prometheus-client.ts'
import { createPrometheusSource } from './prometheus-source.ts'
import { recordingMetrics } from './recording-metrics.ts'

export interface AutoscaleParts {
  /** The runtime's metrics, with the built-in source listening in when it is the source. */
  metrics: GatewayMetrics | null
  recorder: LoadRecorder | null
}

/** Step 1, before the deps exist: the metrics the proxy will call. */
export function autoscaleMetrics(
  config: GatewayDeps['config'],
  metrics: GatewayMetrics | null,
): AutoscaleParts {
  if (config.autoscale.prometheus || !metrics) return { metrics, recorder: null }
  const recorder = createLoadRecorder(config.autoscale.windowMs)
  return { metrics: recordingMetrics(metrics, recorder), recorder }
}

/** Step 2: the autoscaler over the finished deps. */
export function buildAutoscaler(deps: GatewayDeps, parts: AutoscaleParts, instanceId: string): Autoscaler {
  const { autoscale } = deps.config
  let builtin: BuiltinSource | null = null
  if (parts.recorder) {
    builtin = createBuiltinSource({
      store: deps.store,
      recorder: parts.recorder,
      instanceId,
      // Two ticks and a bit: a gateway that skipped one tick still counts.
      staleMs: autoscale.intervalMs * 2 + 1000,
    })
  }
  const source = autoscale.prometheus
    ? createPrometheusSource(
        createPrometheusClient({
          url: autoscale.prometheus.url,
          auth: autoscale.prometheus.auth,
          timeoutMs: autoscale.prometheus.timeoutMs,
        }),
        autoscale.windowMs,
      )
    : builtin
  return createAutoscaler({ deps, source, builtin, instanceId })
}
