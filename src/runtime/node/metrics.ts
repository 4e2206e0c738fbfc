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
  CERTIFICATE_SERIES,
  GATEWAY_SERIES,
  QUEUE_SERIES,
  type SeriesDefinition,
  TRIGGER_SERIES,
} from '../../metrics/names.ts'
import type { GatewayMetrics } from '../../metrics/types.ts'
import type { QueueMetrics } from '../../queue/worker.ts'
import type { TriggerMetrics } from '../../triggers/types.ts'
import {
  type FunctionCalls,
  fillCounter,
  fillGauge,
  fillHistogram,
  HotSeries,
  type Outcomes,
} from './hot-series.ts'

export type NodeMetrics = GatewayMetrics &
  Required<QueueMetrics> &
  TriggerMetrics & {
    /** The registry behind it: a multi-process gateway sums every process's at /metrics (cluster/). */
    readonly registry: Registry
  }

const EVENT_LOOP_SAMPLE_MS = 100

export function createPromMetrics(options: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry()
  // prom-client samples event-loop delay with a timer every 10 ms by default: 100 wake-ups a second,
  // most of an idle gateway's system calls (its idle CPU went from 4.0% to 3.4% of a core here without
  // them). A timer every 100 ms still catches any stall long enough to matter to a call.
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS })
  }
  const registers = [registry]
  // The per-call series are plain numbers (hot-series.ts), folded into these on a scrape.
  const hot = new HotSeries()
  const total: Counter<string> = new Counter({
    ...spec(GATEWAY_SERIES.invocationTotal),
    registers,
    collect: () =>
      fillCounter(
        total,
        finishedSeries(hot, (outcomes) => outcomes.total),
      ),
  })
  const seconds: Histogram<string> = new Histogram({
    ...spec(GATEWAY_SERIES.invocationSeconds),
    registers,
    collect: () =>
      fillHistogram(
        seconds,
        finishedSeries(hot, (outcomes) => outcomes.seconds),
      ),
  })
  const started: Counter<string> = new Counter({
    ...spec(GATEWAY_SERIES.invocationStarted),
    registers,
    collect: () =>
      fillCounter(
        started,
        functionSeries(hot, (calls) => calls.started),
      ),
  })
  const inflight: Gauge<string> = new Gauge({
    ...spec(GATEWAY_SERIES.invocationInflight),
    registers,
    collect: () =>
      fillGauge(
        inflight,
        functionSeries(hot, (calls) => calls.inflight),
      ),
  })
  const serviceCount = new Gauge({ ...spec(GATEWAY_SERIES.serviceCount), registers })
  const processed = new Counter({ ...spec(QUEUE_SERIES.processed), registers })
  const workerInflight = new Gauge({ ...spec(QUEUE_SERIES.inflight), registers })
  const pending = new Gauge({ ...spec(QUEUE_SERIES.pending), registers })
  const backendRequests: Counter<string> = new Counter({
    ...spec(BACKEND_SERIES.requests),
    registers,
    collect: () => fillCounter(backendRequests, attemptSeries(hot)),
  })
  const backendSeconds: Histogram<string> = new Histogram({
    ...spec(BACKEND_SERIES.seconds),
    registers,
    collect: () =>
      fillHistogram(
        backendSeconds,
        [...hot.attemptSeconds].map(([backend, durations]) => [{ backend }, durations] as const),
      ),
  })
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
  // Only the primary of a multi-process gateway runs the tick that sets these: max keeps its value.
  const certificateExpiry = new Gauge({ ...spec(CERTIFICATE_SERIES.expiry), registers, aggregator: 'max' })
  const certificateFailures = new Gauge({
    ...spec(CERTIFICATE_SERIES.failures),
    registers,
    aggregator: 'max',
  })

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
      hot.started(functionName)
    },
    invocationFinished(functionName, code, elapsed) {
      hot.finished(functionName, code, elapsed)
    },
    backendAttempt(backend, code, elapsed) {
      hot.attempt(backend, code, elapsed)
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
    setCertificates(certificates) {
      certificateExpiry.reset()
      certificateFailures.reset()
      for (const c of certificates) {
        if (c.notAfter && c.source)
          certificateExpiry.set({ host: c.host, source: c.source }, Math.floor(c.notAfter.getTime() / 1000))
        certificateFailures.set({ host: c.host }, c.attempts)
      }
    },
    async invocationCounts() {
      const counts = new Map<string, number>()
      for (const [name, calls] of hot.functions) {
        let sum = 0
        for (const outcomes of calls.finished.values()) sum += outcomes.total
        counts.set(name, sum)
      }
      return counts
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}

/** Each function's finished-call series by code: `[{function_name, code}, value]`. */
function* finishedSeries<T>(
  hot: HotSeries,
  value: (outcomes: Outcomes) => T,
): Generator<[{ function_name: string; code: string }, T]> {
  for (const [name, calls] of hot.functions) {
    for (const [code, outcomes] of calls.finished)
      yield [{ function_name: name, code: String(code) }, value(outcomes)]
  }
}

function* functionSeries(
  hot: HotSeries,
  value: (calls: FunctionCalls) => number,
): Generator<[{ function_name: string }, number]> {
  for (const [name, calls] of hot.functions) yield [{ function_name: name }, value(calls)]
}

function* attemptSeries(hot: HotSeries): Generator<[{ backend: string; code: string }, number]> {
  for (const [backend, byCode] of hot.attempts) for (const [code, n] of byCode) yield [{ backend, code }, n]
}

/** prom-client wants a mutable label list; the definitions are shared and frozen. */
function spec<Label extends string>(definition: SeriesDefinition<Label>) {
  return { name: definition.name, help: definition.help, labelNames: [...definition.labelNames] }
}
