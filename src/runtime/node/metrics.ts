/**
 * @module
 * GatewayMetrics on prom-client: the series of src/metrics/names.ts with prom-client's default histogram
 * buckets (the OpenFaaS gateway's), and Node's process metrics. One registry per gateway, so tests running
 * several gateways in one process keep their counts apart.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import {
  AUTOSCALE_SERIES,
  BACKEND_SERIES,
  GATEWAY_SERIES,
  QUEUE_SERIES,
  type SeriesDefinition,
  TRIGGER_SERIES,
} from '../../metrics/names.ts'
import type { GatewayMetrics } from '../../metrics/types.ts'
import type { QueueMetrics } from '../../queue/worker.ts'
import type { TriggerMetrics } from '../../triggers/types.ts'

export type NodeMetrics = GatewayMetrics &
  Required<QueueMetrics> &
  TriggerMetrics & {
    /** The registry behind it: a multi-process gateway sums every process's at /metrics (cluster/). */
    readonly registry: Registry
  }

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
  // Every process of a multi-process gateway judges a backend for itself; summed, 1 + 1 would read 2.
  const healthy = new Gauge({ ...spec(BACKEND_SERIES.healthy), registers, aggregator: 'min' })
  const resends = new Counter({ ...spec(BACKEND_SERIES.resends), registers })
  const autoscaleDesired = new Gauge({ ...spec(AUTOSCALE_SERIES.desired), registers })
  const autoscaleReady = new Gauge({ ...spec(AUTOSCALE_SERIES.ready), registers })
  const autoscaleLoad = new Gauge({ ...spec(AUTOSCALE_SERIES.load), registers })
  const autoscaleTarget = new Gauge({ ...spec(AUTOSCALE_SERIES.target), registers })
  const scalingDecisions = new Counter({ ...spec(AUTOSCALE_SERIES.decisions), registers })
  const triggerDeliveries = new Counter({ ...spec(TRIGGER_SERIES.deliveries), registers })
  const triggerLast = new Gauge({ ...spec(TRIGGER_SERIES.lastDelivery), registers })
  const triggerErrors = new Counter({ ...spec(TRIGGER_SERIES.errors), registers })

  // Label children resolved once per label set: prom-client hashes the label object on every inc() and
  // observe() otherwise, several times per call on the hot path.
  const perFunction = new Map<string, { started: Counter.Internal; inflight: Gauge.Internal<string> }>()
  const functionChildren = (functionName: string) => {
    let children = perFunction.get(functionName)
    if (!children) {
      children = { started: started.labels(functionName), inflight: inflight.labels(functionName) }
      perFunction.set(functionName, children)
    }
    return children
  }
  const perCode = new Map<string, { total: Counter.Internal; seconds: Histogram.Internal<string> }>()
  const codeChildren = (functionName: string, code: string) => {
    const key = `${functionName}\u0000${code}`
    let children = perCode.get(key)
    if (!children) {
      children = { total: total.labels(functionName, code), seconds: seconds.labels(functionName, code) }
      perCode.set(key, children)
    }
    return children
  }
  const perAttempt = new Map<string, Counter.Internal>()
  const perBackend = new Map<string, Histogram.Internal<string>>()

  return {
    registry,
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
      const children = functionChildren(functionName)
      children.started.inc()
      children.inflight.inc()
    },
    invocationFinished(functionName, code, elapsed) {
      const children = codeChildren(functionName, String(code))
      children.total.inc()
      children.seconds.observe(elapsed)
      functionChildren(functionName).inflight.dec()
    },
    backendAttempt(backend, code, elapsed) {
      const key = `${backend}\u0000${code}`
      let requests = perAttempt.get(key)
      if (!requests) {
        requests = backendRequests.labels(backend, code)
        perAttempt.set(key, requests)
      }
      requests.inc()
      let duration = perBackend.get(backend)
      if (!duration) {
        duration = backendSeconds.labels(backend)
        perBackend.set(backend, duration)
      }
      duration.observe(elapsed)
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
    setAutoscaleView(view) {
      for (const gauge of [autoscaleDesired, autoscaleReady, autoscaleLoad, autoscaleTarget]) gauge.reset()
      for (const [functionName, v] of view) {
        autoscaleDesired.set({ function_name: functionName }, v.desired)
        autoscaleReady.set({ function_name: functionName }, v.ready)
        if (v.load !== null) autoscaleLoad.set({ function_name: functionName, mode: v.mode }, v.load)
        if (v.target !== null) autoscaleTarget.set({ function_name: functionName, mode: v.mode }, v.target)
      }
    },
    scalingDecision(functionName, direction) {
      scalingDecisions.inc({ function_name: functionName, direction })
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
