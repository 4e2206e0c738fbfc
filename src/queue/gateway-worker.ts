/**
 * @module
 * The async worker as every runtime runs it for a gateway: the gateway's own invoker, store and route
 * cache, the configured limits and retry defaults, and the queues to drain, which are `default` plus
 * every `com.openfaas.queue` a function names (refreshed every few seconds, with the depth gauge).
 * The runtime supplies only what differs: the callback transport and the metrics.
 */
import type { GatewayDeps } from '../deps.ts'
import { invokerFor } from '../invoke/invoker.ts'
import type { CallbackSender } from './callbacks.ts'
import { queueOf } from './queue-name.ts'
import type { InvokeQueued } from './queued-invoke.ts'
import type { QueueDriver } from './types.ts'
import { type AsyncWorker, createAsyncWorker, type QueueMetrics } from './worker.ts'

const QUEUE_LIST_TTL_MS = 5000

export interface GatewayWorkerOptions {
  sendCallback: CallbackSender
  metrics?: QueueMetrics
  /** The runtime's invocation transport for queued calls; default the Web one (`invokerFor`). */
  invokeQueued?: InvokeQueued
}

export function createGatewayWorker(
  deps: GatewayDeps,
  queue: QueueDriver,
  options: GatewayWorkerOptions,
): AsyncWorker {
  const { config } = deps
  let cached: { names: string[]; at: number } | undefined
  const queues = async (): Promise<string[]> => {
    if (cached && Date.now() - cached.at < QUEUE_LIST_TTL_MS) return cached.names
    const names = new Set(['default'])
    for (const fn of await deps.store.listFunctions()) names.add(queueOf(fn.spec.annotations))
    cached = { names: [...names], at: Date.now() }
    const setPending = options.metrics?.setPending
    if (setPending) {
      for (const name of cached.names) {
        queue.depth(name).then(
          (depth) => setPending(name, depth),
          () => undefined,
        )
      }
    }
    return cached.names
  }
  return createAsyncWorker({
    queue,
    store: deps.store,
    invoke: invokerFor(deps),
    ...(options.invokeQueued ? { invokeQueued: options.invokeQueued } : {}),
    routes: deps.routes,
    sendCallback: options.sendCallback,
    logger: deps.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    retryDefaults: { ...config.retry, codes: new Set(config.retry.codes) },
    queues,
    maxInflight: config.workerMaxInflight,
    maxInflightPerFunction: config.workerMaxInflightPerFunction,
    leaseMs: config.queueLeaseMs,
    callbackAttempts: config.callbackAttempts,
    userAgent: `edgefaas-queue-worker/${deps.version.release}`,
  })
}
