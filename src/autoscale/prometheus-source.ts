/**
 * @module
 * Load from a Prometheus-compatible store scraping the gateways' `/metrics` (contract §4.1's series).
 * Sums run `by (function_name)` across every scraped gateway, so several gateways need nothing more.
 *
 * - rps: `rate(gateway_function_invocation_total[w])`; the CE rule's figure adds `{code="200"}`
 * - capacity: the mean of `gateway_function_invocation_inflight` over the window
 * - activity: `increase(gateway_function_invocation_started[2w])`: twice the window, so a scrape or two
 *   missed under load (a rate needs two samples in its range) does not read as idleness. A series born
 *   within those 2w (`started unless started offset 2w`) counts with its whole value instead: a rate
 *   starts at a series' first sample, so the calls a new series holds at its first scrape (the first
 *   calls of a function, of a gateway that just started, or everything before a store that just
 *   started) are in no increase, and a short burst can sit in that one sample whole. Folded into the
 *   one query with `or`, so a tick asks no more queries than before (each is one more chance to time
 *   out under load, which holds the tick).
 * - cpu: `rate(pod_cpu_usage_seconds_total[w])` × 1000 (OpenFaaS Pro's series), where something exports it
 *
 * Guard: when the store holds no fresh `gateway_service_count` (which every gateway exports while it has
 * functions), it is not scraping the gateway: the read fails rather than report zero load, which would
 * scale everything down.
 */
import { GATEWAY_SERIES } from '../metrics/names.ts'
import type { PrometheusClient, Sample } from './prometheus-client.ts'
import type { LoadSource, SourceLoad } from './source.ts'

export function createPrometheusSource(client: PrometheusClient, windowMs: number): LoadSource {
  const w = `${Math.max(1, Math.round(windowMs / 1000))}s`
  const w2 = `${Math.max(2, Math.round((windowMs * 2) / 1000))}s`
  const total = GATEWAY_SERIES.invocationTotal.name
  const started = GATEWAY_SERIES.invocationStarted.name
  const q = {
    up: `count(${GATEWAY_SERIES.serviceCount.name})`,
    rps: `sum by (function_name) (rate(${total}[${w}]))`,
    okRps: `sum by (function_name) (rate(${total}{code="200"}[${w}]))`,
    inflight: `sum by (function_name) (avg_over_time(${GATEWAY_SERIES.invocationInflight.name}[${w}]))`,
    started: `sum by (function_name) ((${started} unless ${started} offset ${w2}) or increase(${started}[${w2}]))`,
    cpu: `sum by (function_name, namespace) (rate(pod_cpu_usage_seconds_total[${w}])) * 1000`,
  }
  return {
    kind: 'prometheus',
    async read() {
      const [up, rps, okRps, inflight, activity, cpu] = await Promise.all([
        client.query(q.up),
        client.query(q.rps),
        client.query(q.okRps),
        client.query(q.inflight),
        client.query(q.started),
        // Optional: most setups have no CPU series; a failure here must not stop the other modes.
        client.query(q.cpu).catch(() => [] as Sample[]),
      ])
      if (up.length === 0 || (up[0]?.value ?? 0) === 0) {
        throw new Error(
          `the store has no fresh ${GATEWAY_SERIES.serviceCount.name}: is it scraping the gateway?`,
        )
      }
      const out = new Map<string, SourceLoad>()
      const at = (label: string): SourceLoad => {
        let load = out.get(label)
        if (!load) {
          load = { rps: 0, okRps: 0, inflight: 0, started: 0, cpu: null }
          out.set(label, load)
        }
        return load
      }
      for (const s of rps) if (s.labels.function_name) at(s.labels.function_name).rps = s.value
      for (const s of okRps) if (s.labels.function_name) at(s.labels.function_name).okRps = s.value
      for (const s of inflight) if (s.labels.function_name) at(s.labels.function_name).inflight = s.value
      for (const s of activity) if (s.labels.function_name) at(s.labels.function_name).started = s.value
      for (const s of cpu) {
        const name = s.labels.function_name
        if (!name) continue
        const label = name.includes('.') || !s.labels.namespace ? name : `${name}.${s.labels.namespace}`
        at(label).cpu = s.value
      }
      return out
    },
  }
}
