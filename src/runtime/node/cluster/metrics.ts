/**
 * @module
 * /metrics of a multi-process gateway: one answer for the whole gateway, as a single process would
 * give. The primary asks every worker for its registry (prom-client JSON over IPC) and sums the series
 * with prom-client's AggregatorRegistry: counters and histograms add up, gauges follow their
 * `aggregator` (sum by default: in-flight calls; `min` for backend health, which each process judges).
 * Plus one series of our own, `edgefaas_process_requests_total{process}`: the requests each process
 * accepted, which shows the connections spreading over the processes.
 */
import type { Server } from 'node:http'
import {
  AggregatorRegistry,
  Counter,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client'
import type { NodeMetrics } from '../metrics.ts'

export const PROCESS_REQUESTS = 'edgefaas_process_requests_total'

type MetricJson = MetricObjectWithValues<MetricValue<string>>

/** The primary's metrics: its own series plus every worker's, summed when rendered. */
export function summedMetrics(own: NodeMetrics, workers: () => Promise<unknown[]>): NodeMetrics {
  const render: NodeMetrics['render'] = async () => {
    const mine = (await own.registry.getMetricsAsJSON()) as MetricJson[]
    const theirs = (await workers()) as MetricJson[][]
    const summed = AggregatorRegistry.aggregate([mine, ...theirs])
    return { contentType: summed.contentType, body: await summed.metrics() }
  }
  return Object.assign(Object.create(own) as NodeMetrics, { render })
}

/** A worker's answer to the primary's `metrics` call. */
export function metricsJson(registry: Registry): Promise<unknown> {
  return registry.getMetricsAsJSON()
}

/** Counts the requests `servers` accept in this process, as `process="<index>"`. */
export function countRequests(registry: Registry, index: number, servers: Array<Server | null>): void {
  const counter = new Counter({
    name: PROCESS_REQUESTS,
    help: 'HTTP requests accepted by each process of a multi-process gateway (0 is the primary).',
    labelNames: ['process'],
    registers: [registry],
  })
  const child = counter.labels(String(index))
  for (const server of servers) server?.prependListener('request', () => child.inc())
}
