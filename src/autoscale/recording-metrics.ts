/**
 * @module
 * The gateway's metrics with the built-in load source listening in: every call the proxy records is
 * also counted by the load recorder, so the autoscaler needs no Prometheus and the proxy no second hook.
 */
import type { GatewayMetrics } from '../metrics/types.ts'
import type { LoadRecorder } from './load-recorder.ts'

export function recordingMetrics(inner: GatewayMetrics, recorder: LoadRecorder): GatewayMetrics {
  // Everything else is the inner registry's, reached through the prototype.
  const tee: Pick<GatewayMetrics, 'invocationStarted' | 'invocationFinished'> = {
    invocationStarted(functionName) {
      recorder.started(functionName)
      inner.invocationStarted(functionName)
    },
    invocationFinished(functionName, code, seconds) {
      recorder.finished(functionName, code)
      inner.invocationFinished(functionName, code, seconds)
    },
  }
  return Object.assign(Object.create(inner) as GatewayMetrics, tee)
}
