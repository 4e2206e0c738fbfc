/**
 * @module
 * Metrics for runtimes without a long-lived process (Workers): each isolate records into a small delta
 * (`createDeltaMetrics`), flushes it now and then to one aggregator, and the aggregator (`MetricTotals`)
 * adds the deltas up and renders Prometheus text. Runtime-neutral: the transport is the runtime's
 * (src/runtime/workers/metrics.ts sends deltas to a Durable Object).
 *
 * A delta is two maps from a rendered series key (`name{label="value",…}`) to a number: `add` for counters,
 * histogram buckets/sums/counts and in-flight gauges (summed over isolates), `set` for gauges whose latest
 * value wins (replica counts, backend health). Histograms use prom-client's default buckets, as the Node
 * registry does, so the series match the OpenFaaS gateway's on every runtime.
 */
import type { QueueMetrics } from '../queue/worker.ts'
import {
  BACKEND_SERIES,
  CERTIFICATE_SERIES,
  GATEWAY_SERIES,
  QUEUE_SERIES,
  type SeriesDefinition,
} from './names.ts'
import type { GatewayMetrics } from './types.ts'

export interface MetricsDelta {
  add: Record<string, number>
  set: Record<string, number>
  /** Replaces every `set` series of these families first (replica counts: functions not listed drop). */
  resetFamilies?: string[]
}

/** prom-client's default buckets (seconds). */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

type Kind = 'counter' | 'gauge' | 'histogram'
const FAMILIES = new Map<string, { help: string; kind: Kind }>()
const family = (s: SeriesDefinition, kind: Kind) => FAMILIES.set(s.name, { help: s.help, kind })
family(GATEWAY_SERIES.invocationTotal, 'counter')
family(GATEWAY_SERIES.invocationSeconds, 'histogram')
family(GATEWAY_SERIES.invocationStarted, 'counter')
family(GATEWAY_SERIES.invocationInflight, 'gauge')
family(GATEWAY_SERIES.serviceCount, 'gauge')
family(QUEUE_SERIES.processed, 'counter')
family(QUEUE_SERIES.inflight, 'gauge')
family(QUEUE_SERIES.pending, 'gauge')
family(BACKEND_SERIES.requests, 'counter')
family(BACKEND_SERIES.seconds, 'histogram')
family(BACKEND_SERIES.ejections, 'counter')
family(BACKEND_SERIES.healthy, 'gauge')
family(BACKEND_SERIES.resends, 'counter')
family(CERTIFICATE_SERIES.expiry, 'gauge')
family(CERTIFICATE_SERIES.failures, 'gauge')

const NEEDS_ESCAPE = /[\\"\n]/
const escapeLabel = (v: string) =>
  NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v

/** `a="1",b="2"`: labels in the given order (the series definition's), values escaped. */
function labelText(labels: ReadonlyArray<readonly [string, string]>): string {
  let out = ''
  for (const [k, v] of labels) out += `${out ? ',' : ''}${k}="${escapeLabel(v)}"`
  return out
}

/** `name{a="1",b="2"}` with labels in the given order (the series definition's). */
export function seriesKey(name: string, labels: ReadonlyArray<readonly [string, string]>): string {
  return labels.length === 0 ? name : `${name}{${labelText(labels)}}`
}

/** The `le` label values of DEFAULT_BUCKETS, rendered once. */
const LE = [...DEFAULT_BUCKETS.map(String), '+Inf']

export type DeltaMetrics = GatewayMetrics &
  Required<QueueMetrics> & {
    /** Takes what was recorded since the last take (null when nothing was). */
    take(): MetricsDelta | null
    /** Puts a delta back (its flush failed), to go with the next one. */
    restore(delta: MetricsDelta): void
  }

export interface DeltaMetricsOptions {
  /** Renders the aggregate (after flushing this isolate's delta). */
  render(): Promise<string>
  /** Completed calls per function over every isolate. */
  invocationCounts(): Promise<Map<string, number>>
}

export function createDeltaMetrics(options: DeltaMetricsOptions): DeltaMetrics {
  let add = new Map<string, number>()
  let set = new Map<string, number>()
  let resetFamilies = new Set<string>()
  // Histograms are kept as cells (one lookup per observation) and spelled out as series keys on `take`.
  let histograms = new Map<
    string,
    { name: string; text: string; buckets: number[]; sum: number; count: number }
  >()
  const inc = (key: string, by = 1) => add.set(key, (add.get(key) ?? 0) + by)
  /** Drops this isolate's `set` series of a family and has the aggregator drop its own (resetFamilies). */
  const resetFamily = (name: string) => {
    for (const key of set.keys()) if (key.startsWith(`${name}{`)) set.delete(key)
    resetFamilies.add(name)
  }
  const observe = (name: string, labels: Array<[string, string]>, seconds: number) => {
    const text = labelText(labels)
    const id = `${name}{${text}}`
    let cell = histograms.get(id)
    if (!cell) {
      cell = { name, text, buckets: new Array<number>(LE.length).fill(0), sum: 0, count: 0 }
      histograms.set(id, cell)
    }
    let i = 0
    while (i < DEFAULT_BUCKETS.length && seconds > DEFAULT_BUCKETS[i]!) i++
    for (; i < LE.length; i++) cell.buckets[i]!++
    cell.sum += seconds
    cell.count++
  }
  const G = GATEWAY_SERIES
  const B = BACKEND_SERIES
  const Q = QUEUE_SERIES
  const C = CERTIFICATE_SERIES
  return {
    invocationStarted(fn) {
      inc(seriesKey(G.invocationStarted.name, [['function_name', fn]]))
      inc(seriesKey(G.invocationInflight.name, [['function_name', fn]]))
    },
    invocationFinished(fn, code, seconds) {
      const labels: Array<[string, string]> = [
        ['function_name', fn],
        ['code', String(code)],
      ]
      inc(seriesKey(G.invocationTotal.name, labels))
      observe(G.invocationSeconds.name, labels, seconds)
      inc(seriesKey(G.invocationInflight.name, [['function_name', fn]]), -1)
    },
    backendAttempt(backend, code, seconds) {
      inc(
        seriesKey(B.requests.name, [
          ['backend', backend],
          ['code', code],
        ]),
      )
      observe(B.seconds.name, [['backend', backend]], seconds)
    },
    backendEjected(backend) {
      inc(seriesKey(B.ejections.name, [['backend', backend]]))
    },
    setBackendHealthy(backend, healthy) {
      set.set(seriesKey(B.healthy.name, [['backend', backend]]), healthy ? 1 : 0)
    },
    resend(result) {
      inc(seriesKey(B.resends.name, [['result', result]]))
    },
    setServiceCounts(replicas) {
      resetFamily(G.serviceCount.name)
      for (const [fn, n] of replicas) set.set(seriesKey(G.serviceCount.name, [['function_name', fn]]), n)
    },
    setCertificates(certificates) {
      resetFamily(C.expiry.name)
      resetFamily(C.failures.name)
      for (const c of certificates) {
        if (c.notAfter && c.source)
          set.set(
            seriesKey(C.expiry.name, [
              ['host', c.host],
              ['source', c.source],
            ]),
            Math.floor(c.notAfter.getTime() / 1000),
          )
        set.set(seriesKey(C.failures.name, [['host', c.host]]), c.attempts)
      }
    },
    processed(queue, outcome) {
      inc(
        seriesKey(Q.processed.name, [
          ['queue_name', queue],
          ['outcome', outcome],
        ]),
      )
    },
    inflight(queue, fn, delta) {
      inc(
        seriesKey(Q.inflight.name, [
          ['queue_name', queue],
          ['function_name', fn],
        ]),
        delta,
      )
    },
    setPending(queue, depth) {
      set.set(seriesKey(Q.pending.name, [['queue_name', queue]]), depth)
    },
    invocationCounts: () => options.invocationCounts(),
    async render() {
      return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: await options.render() }
    },
    take() {
      for (const { name, text, buckets, sum, count } of histograms.values()) {
        // Every bucket, zeros too: a histogram's exposition lists all of its buckets.
        buckets.forEach((n, i) => {
          inc(`${name}_bucket{${text},le="${LE[i]}"}`, n)
        })
        inc(`${name}_sum{${text}}`, sum)
        inc(`${name}_count{${text}}`, count)
      }
      histograms = new Map()
      if (add.size === 0 && set.size === 0 && resetFamilies.size === 0) return null
      const delta: MetricsDelta = { add: Object.fromEntries(add), set: Object.fromEntries(set) }
      if (resetFamilies.size > 0) delta.resetFamilies = [...resetFamilies]
      add = new Map()
      set = new Map()
      resetFamilies = new Set()
      return delta
    },
    restore(delta) {
      for (const [k, v] of Object.entries(delta.add)) inc(k, v)
      for (const [k, v] of Object.entries(delta.set)) if (!set.has(k)) set.set(k, v)
      for (const f of delta.resetFamilies ?? []) resetFamilies.add(f)
    },
  }
}

/** The family a series key belongs to (`x_bucket{…}` → `x` for histograms). */
function familyOf(key: string): string {
  const name = key.split('{', 1)[0]!
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length)
      if (FAMILIES.get(base)?.kind === 'histogram') return base
    }
  }
  return name
}

/** Orders keys as Prometheus expects: by series, then a histogram's buckets by rising `le`. */
function byExposition(a: string, b: string): number {
  const order = (key: string): [string, number] => {
    const m = /,?le="([^"]*)"/.exec(key)
    if (!m) return [key, 0]
    return [key.replace(m[0], ''), m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1])]
  }
  const [ka, la] = order(a)
  const [kb, lb] = order(b)
  return ka < kb ? -1 : ka > kb ? 1 : la - lb
}

/** The aggregate of every isolate's deltas, and its Prometheus text. */
export class MetricTotals {
  readonly values = new Map<string, number>()

  constructor(initial?: Record<string, number>) {
    for (const [k, v] of Object.entries(initial ?? {})) this.values.set(k, v)
  }

  apply(delta: MetricsDelta): void {
    for (const f of delta.resetFamilies ?? []) {
      for (const key of this.values.keys()) if (familyOf(key) === f) this.values.delete(key)
    }
    for (const [k, v] of Object.entries(delta.add)) this.values.set(k, (this.values.get(k) ?? 0) + v)
    for (const [k, v] of Object.entries(delta.set)) this.values.set(k, v)
  }

  /** Completed calls per `function_name`, summed over codes. */
  invocationCounts(): Record<string, number> {
    const counts: Record<string, number> = {}
    const prefix = `${GATEWAY_SERIES.invocationTotal.name}{function_name="`
    for (const [key, value] of this.values) {
      if (!key.startsWith(prefix)) continue
      const fn = key.slice(prefix.length, key.indexOf('"', prefix.length))
      counts[fn] = (counts[fn] ?? 0) + value
    }
    return counts
  }

  render(): string {
    const byFamily = new Map<string, string[]>()
    for (const key of [...this.values.keys()].sort(byExposition)) {
      const f = familyOf(key)
      byFamily.set(f, [...(byFamily.get(f) ?? []), key])
    }
    const lines: string[] = []
    for (const [f, keys] of byFamily) {
      const meta = FAMILIES.get(f)
      if (meta) lines.push(`# HELP ${f} ${meta.help}`, `# TYPE ${f} ${meta.kind}`)
      for (const key of keys) lines.push(`${key} ${this.values.get(key)}`)
    }
    return `${lines.join('\n')}\n`
  }
}
