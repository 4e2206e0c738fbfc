/**
 * @module
 * The gateway's metrics with the dashboard's time series listening in, the same way the autoscaler's
 * load recorder does (autoscale/recording-metrics.ts): the proxy keeps one metrics hook.
 */
import type { GatewayMetrics } from '../../metrics/types.ts'
import type { FunctionStats } from './function-stats.ts'

export function statsRecordingMetrics(inner: GatewayMetrics, stats: FunctionStats): GatewayMetrics {
  const tee: Pick<GatewayMetrics, 'invocationFinished'> = {
    invocationFinished(functionName, code, seconds) {
      stats.finished(functionName, code, seconds)
      inner.invocationFinished(functionName, code, seconds)
    },
  }
  return Object.assign(Object.create(inner) as GatewayMetrics, tee)
}
