/**
 * @module
 * Runs the async worker inside a Node process, with the callback transport that checks every address it
 * connects to and the Prometheus queue metrics.
 */
import type { GatewayDeps } from '../../deps.ts'
import { createGatewayWorker } from '../../queue/gateway-worker.ts'
import type { QueueDriver } from '../../queue/types.ts'
import type { AsyncWorker } from '../../queue/worker.ts'
import { createCallbackSender } from './callback-sender.ts'
import type { NodeMetrics } from './metrics.ts'

export function startWorker(deps: GatewayDeps, queue: QueueDriver, metrics: NodeMetrics): AsyncWorker {
  const worker = createGatewayWorker(deps, queue, {
    sendCallback: createCallbackSender(deps.config.callbackPolicy),
    metrics,
  })
  worker.start()
  return worker
}
