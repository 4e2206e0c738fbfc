/**
 * @module
 * GatewayMetrics on prom-client: the series of src/metrics/names.ts with prom-client's default histogram
 * buckets (the OpenFaaS gateway's), and Node's process metrics. One registry per gateway, so tests running
 * several gateways in one process keep their counts apart.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import {
  BACKEND_SERIES,
  GATEWAY_SERIES,
  QUEUE_SERIES,
  type SeriesDefinition,
  TRIGGER_SERIES,
} from '../../metrics/names.ts'
import type { GatewayMetrics } from '../../metrics/types.ts'
import type { QueueMetrics } from '../../queue/worker.ts'
import type { TriggerMetrics } from '../../triggers/types.ts'

export type NodeMetrics = GatewayMetrics & Required<QueueMetrics> & TriggerMetrics

export function createPromMetrics(options: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const total = new Counter({ ...spec(GATEWAY_SERIES.invocationTotal), registers })
  const seconds = new Histogram({ ...spec(GATEWAY_SERIES.invocationSeconds), registers })
  const started = new Counter({ ...spec(GATEWAY_SERIES.invocationStarted), registers })
  const inflight = new Gauge({ ...spec(GATEWAY_SERIES.invocationInflight), registers })
  const serviceCount = new Gauge({ ...spec(GATEWAY_SERIES.serviceCount), registers })
  const processed = new Counter({ ...spec(QUEUE_SERIES.processed), registers })
  const workerInflight = new Gauge({ ...spec(QUEUE_SERIES.inflight), registers })
  const pending = new Gauge({ ...spec(QUEUE_SERIES.pending), registers })
  const backendRequests = new Counter({ ...spec(BACKEND_SERIES.requests), registers })
  const backendSeconds = new Histogram({ ...spec(BACKEND_SERIES.seconds), registers })
  const ejections = new Counter({ ...spec(BACKEND_SERIES.ejections), registers })
  const healthy = new Gauge({ ...spec(BACKEND_SERIES.healthy), registers })
  const resends = new Counter({ ...spec(BACKEND_SERIES.resends), registers })
  const triggerDeliveries = new Counter({ ...spec(TRIGGER_SERIES.deliveries), registers })
  const triggerLast = new Gauge({ ...spec(TRIGGER_SERIES.lastDelivery), registers })
  const triggerErrors = new Counter({ ...spec(TRIGGER_SERIES.errors), registers })

  return {
    delivered(source, topic, functionName, outcome) {
      triggerDeliveries.inc({ source, topic, function_name: functionName, outcome })
      if (outcome === 'enqueued')
        triggerLast.set({ source, topic, function_name: functionName }, Date.now() / 1000)
    },
    sourceError(source, topic) {
      triggerErrors.inc({ source, topic })
    },
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
    backendAttempt(backend, code, elapsed) {
      backendRequests.inc({ backend, code })
      backendSeconds.observe({ backend }, elapsed)
    },
    backendEjected(backend) {
      ejections.inc({ backend })
    },
    setBackendHealthy(backend, isHealthy) {
      healthy.set({ backend }, isHealthy ? 1 : 0)
    },
    resend(result) {
      resends.inc({ result })
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

/** prom-client wants a mutable label list; the definitions are shared and frozen. */
function spec<Label extends string>(definition: SeriesDefinition<Label>) {
  return { name: definition.name, help: definition.help, labelNames: [...definition.labelNames] }
}
