/**
 * @module
 * GatewayMetrics on prom-client: the OpenFaaS gateway series with their exact names, labels and default
 * histogram buckets, the Pro-named in-flight gauge, and Node's process metrics. One registry per gateway,
 * so tests running several gateways in one process keep their counts apart.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { GatewayMetrics } from '../../metrics/types.ts'
import type { QueueMetrics } from '../../queue/worker.ts'

export type NodeMetrics = GatewayMetrics & Required<QueueMetrics>

export function createPromMetrics(options: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const total = new Counter({
    name: 'gateway_function_invocation_total',
    help: 'Function metrics',
    labelNames: ['function_name', 'code'],
    registers: [registry],
  })
  const seconds = new Histogram({
    name: 'gateway_functions_seconds',
    help: 'Function time taken',
    labelNames: ['function_name', 'code'],
    registers: [registry],
  })
  const started = new Counter({
    name: 'gateway_function_invocation_started',
    help: 'The total number of function HTTP requests started.',
    labelNames: ['function_name'],
    registers: [registry],
  })
  const inflight = new Gauge({
    name: 'gateway_function_invocation_inflight',
    help: 'Function invocations in flight',
    labelNames: ['function_name'],
    registers: [registry],
  })
  const serviceCount = new Gauge({
    name: 'gateway_service_count',
    help: 'Current count of replicas for function',
    labelNames: ['function_name'],
    registers: [registry],
  })

  // Queue worker series, named as OpenFaaS Pro's queue-worker documents them (contract §4.2).
  const processed = new Counter({
    name: 'queue_worker_messages_processed_total',
    help: 'Async calls finished by the worker, by outcome',
    labelNames: ['queue_name', 'outcome'],
    registers: [registry],
  })
  const workerInflight = new Gauge({
    name: 'queue_worker_function_invocation_inflight',
    help: 'Async calls running now',
    labelNames: ['queue_name', 'function_name'],
    registers: [registry],
  })
  const pending = new Gauge({
    name: 'queue_worker_pending_messages',
    help: 'Async calls queued, delayed or running',
    labelNames: ['queue_name'],
    registers: [registry],
  })

  return {
    processed(queue, outcome) {
      processed.inc({ queue_name: queue, outcome })
    },
    inflight(queue, functionName, delta) {
      workerInflight.inc({ queue_name: queue, function_name: functionName }, delta)
    },
    setPending(queue, depth) {
      pending.set({ queue_name: queue }, depth)
    },
    invocationStarted(functionName) {
      started.inc({ function_name: functionName })
      inflight.inc({ function_name: functionName })
    },
    invocationFinished(functionName, code, elapsed) {
      const labels = { function_name: functionName, code: String(code) }
      total.inc(labels)
      seconds.observe(labels, elapsed)
      inflight.dec({ function_name: functionName })
    },
    setServiceCounts(replicas) {
      serviceCount.reset()
      for (const [functionName, count] of replicas) serviceCount.set({ function_name: functionName }, count)
    },
    async invocationCounts() {
      const counts = new Map<string, number>()
      for (const { labels, value } of (await total.get()).values) {
        const name = String(labels.function_name)
        counts.set(name, (counts.get(name) ?? 0) + value)
      }
      return counts
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}
