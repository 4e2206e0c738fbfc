/**
 * @module
 * /metrics of a multi-process gateway: one answer for the whole gateway, as a single process would
 * give. The primary asks every worker for its registry (prom-client JSON over IPC) and sums the series
 * with prom-client's AggregatorRegistry: counters and histograms add up, gauges follow their
 * `aggregator` (sum by default: in-flight calls; `min` for backend health, which each process judges).
 * Plus one series of our own, `edgefaas_process_requests_total{process}`: the requests each process
 * accepted, which shows the connections spreading over the processes; and, in the primary,
 * `edgefaas_cluster_messages_total{message}`: what the workers asked of it over IPC, which should grow
 * with changes (a replica table, a scale from zero), not with calls.
 */
import type { Server } from 'node:http'
import {
  AggregatorRegistry,
  Counter,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client'
import { GATEWAY_SERIES } from '../../../metrics/names.ts'
import type { NodeMetrics } from '../metrics.ts'
import { beforeEachRequest } from '../serve.ts'

export const PROCESS_REQUESTS = 'edgefaas_process_requests_total'
export const CLUSTER_MESSAGES = 'edgefaas_cluster_messages_total'

type MetricJson = MetricObjectWithValues<MetricValue<string>>

/** The primary's metrics: its own series plus every worker's, summed when rendered. */
export function summedMetrics(own: NodeMetrics, workers: () => Promise<unknown[]>): NodeMetrics {
  const summed = async () => {
    const mine = (await own.registry.getMetricsAsJSON()) as MetricJson[]
    const theirs = (await workers()) as MetricJson[][]
    return AggregatorRegistry.aggregate([mine, ...theirs])
  }
  const render: NodeMetrics['render'] = async () => {
    const registry = await summed()
    return { contentType: registry.contentType, body: await registry.metrics() }
  }
  // The invocation counts of GET /system/functions: every process's calls, not only the primary's.
  const invocationCounts: NodeMetrics['invocationCounts'] = async () => {
    const counts = new Map<string, number>()
    const total = (await summed()).getSingleMetric(GATEWAY_SERIES.invocationTotal.name)
    for (const { labels, value } of total ? (await total.get()).values : []) {
      const name = String(labels.function_name)
      counts.set(name, (counts.get(name) ?? 0) + value)
    }
    return counts
  }
  return Object.assign(Object.create(own) as NodeMetrics, { render, invocationCounts })
}

/** A worker's answer to the primary's `metrics` call. */
export function metricsJson(registry: Registry): Promise<unknown> {
  return registry.getMetricsAsJSON()
}

/** Counts the requests `servers` accept in this process, as `process="<index>"`. */
export function countRequests(registry: Registry, index: number, servers: Array<Server | null>): void {
  // A plain number per request, folded into the counter when it is read: a prom-client inc() validates
  // and hashes its labels on every call, which is hot-path work (as in runtime/node/hot-series.ts).
  let accepted = 0
  let reported = 0
  const process = String(index)
  new Counter({
    name: PROCESS_REQUESTS,
    help: 'HTTP requests accepted by each process of a multi-process gateway (0 is the primary).',
    labelNames: ['process'],
    registers: [registry],
    collect() {
      this.inc({ process }, accepted - reported)
      reported = accepted
    },
  })
  const count = () => {
    accepted++
  }
  // Inside the server's one request listener, not a second listener (see beforeEachRequest).
  for (const server of servers) if (server) beforeEachRequest(server, count)
}

/** Counts, at scrape, the IPC messages the primary received from its workers (`received()`). */
export function countClusterMessages(registry: Registry, received: () => ReadonlyMap<string, number>): void {
  const reported = new Map<string, number>()
  new Counter({
    name: CLUSTER_MESSAGES,
    help: 'IPC messages the primary received from its worker processes, by call or event name.',
    labelNames: ['message'],
    registers: [registry],
    collect() {
      for (const [message, total] of received()) {
        this.inc({ message }, total - (reported.get(message) ?? 0))
        reported.set(message, total)
      }
    },
  })
}
