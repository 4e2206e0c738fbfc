/**
 * @module
 * Runs the async worker inside a Node process: the queues to drain are `default` plus every
 * `com.openfaas.queue` named by a function (refreshed every few seconds), and the pending-calls gauge
 * follows their depth.
 */
import { QUEUE_ANNOTATION } from '../../api/async.ts'
import type { GatewayDeps } from '../../deps.ts'
import { invokerFor } from '../../invoke/invoker.ts'
import type { QueueDriver } from '../../queue/types.ts'
import { type AsyncWorker, createAsyncWorker } from '../../queue/worker.ts'
import { createCallbackSender } from './callback-sender.ts'
import type { NodeMetrics } from './metrics.ts'

const QUEUE_LIST_TTL_MS = 5000

export function startWorker(deps: GatewayDeps, queue: QueueDriver, metrics: NodeMetrics): AsyncWorker {
  const { config } = deps
  let cached: { names: string[]; at: number } | undefined
  const queues = async (): Promise<string[]> => {
    if (cached && Date.now() - cached.at < QUEUE_LIST_TTL_MS) return cached.names
    const functions = await deps.store.listFunctions()
    const names = new Set(['default'])
    for (const fn of functions) {
      const name = fn.spec.annotations?.[QUEUE_ANNOTATION]
      if (name) names.add(name)
    }
    cached = { names: [...names], at: Date.now() }
    for (const name of cached.names) {
      queue.depth(name).then(
        (depth) => metrics.setPending(name, depth),
        () => undefined,
      )
    }
    return cached.names
  }
  const worker = createAsyncWorker({
    queue,
    store: deps.store,
    invoke: invokerFor(deps),
    routes: deps.routes,
    sendCallback: createCallbackSender(config.callbackPolicy),
    logger: deps.logger,
    metrics,
    retryDefaults: { ...config.retry, codes: new Set(config.retry.codes) },
    queues,
    maxInflight: config.workerMaxInflight,
    maxInflightPerFunction: config.workerMaxInflightPerFunction,
    leaseMs: config.queueLeaseMs,
    callbackAttempts: config.callbackAttempts,
    userAgent: `edgefaas-queue-worker/${deps.version.release}`,
  })
  worker.start()
  return worker
}
