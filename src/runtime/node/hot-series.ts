/**
 * @module
 * The per-call metrics (invocations started, in flight, finished by code with their duration; backend
 * attempts by code with their duration) kept as plain numbers and folded into the prom-client series
 * only when they are read (`collect`, on a scrape). prom-client's label children do not pre-resolve:
 * every `inc()`/`observe()` validates and hashes the label object again, which cost the gateway more
 * CPU per call than the rest of its own rules together. Here a call does a few Map lookups and adds.
 */
import type { Counter, Gauge, Histogram } from 'prom-client'

/** prom-client's default buckets (seconds), the OpenFaaS gateway's: what `Histogram` uses unless told. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Observations of one histogram series: counts per bucket (not cumulative), their sum and count. */
export class Durations {
  readonly buckets = new Float64Array(DEFAULT_BUCKETS.length)
  sum = 0
  count = 0

  observe(seconds: number): void {
    this.sum += seconds
    this.count++
    for (let i = 0; i < DEFAULT_BUCKETS.length; i++) {
      if (seconds <= DEFAULT_BUCKETS[i]!) {
        this.buckets[i]!++
        return
      }
    }
  }
}

/** One counter and one histogram series with the same labels (`code` finished calls, backend attempts). */
export class Outcomes {
  total = 0
  readonly seconds = new Durations()
}

/** The per-function series. */
export class FunctionCalls {
  started = 0
  inflight = 0
  /** By status code. */
  readonly finished = new Map<number, Outcomes>()
}

export class HotSeries {
  readonly functions = new Map<string, FunctionCalls>()
  /** Backend → code → attempts; the duration is per backend only, as BACKEND_SERIES defines it. */
  readonly attempts = new Map<string, Map<string, number>>()
  readonly attemptSeconds = new Map<string, Durations>()

  function(name: string): FunctionCalls {
    let calls = this.functions.get(name)
    if (!calls) {
      calls = new FunctionCalls()
      this.functions.set(name, calls)
    }
    return calls
  }

  started(name: string): void {
    const calls = this.function(name)
    calls.started++
    calls.inflight++
  }

  finished(name: string, code: number, seconds: number): void {
    const calls = this.function(name)
    calls.inflight--
    let outcomes = calls.finished.get(code)
    if (!outcomes) {
      outcomes = new Outcomes()
      calls.finished.set(code, outcomes)
    }
    outcomes.total++
    outcomes.seconds.observe(seconds)
  }

  attempt(backend: string, code: string, seconds: number): void {
    let byCode = this.attempts.get(backend)
    if (!byCode) {
      byCode = new Map()
      this.attempts.set(backend, byCode)
    }
    byCode.set(code, (byCode.get(code) ?? 0) + 1)
    let durations = this.attemptSeconds.get(backend)
    if (!durations) {
      durations = new Durations()
      this.attemptSeconds.set(backend, durations)
    }
    durations.observe(seconds)
  }
}

/** Sets a counter series to `value` (counters only go up here, so reset-and-add gives the total). */
export function fillCounter<L extends string>(
  counter: Counter<L>,
  series: Iterable<[Partial<Record<L, string>>, number]>,
): void {
  counter.reset()
  for (const [labels, value] of series) counter.inc(labels, value)
}

export function fillGauge<L extends string>(
  gauge: Gauge<L>,
  series: Iterable<[Partial<Record<L, string>>, number]>,
): void {
  gauge.reset()
  for (const [labels, value] of series) gauge.set(labels, value)
}

/** prom-client's stored value of one histogram series (lib/histogram.js `createBaseValues`). */
interface HistogramValues {
  labels: Record<string, string>
  bucketValues: Record<number, number>
  sum: number
  count: number
}

/**
 * Sets a histogram's series to these observations. prom-client has no public way to set a histogram:
 * `zero()` makes each series, then its stored values are written (bucket counts not cumulative, as
 * `observe` keeps them; the exposition accumulates them). After `reset()` the stored series are in the
 * order they were made (their keys are `name:value,` strings, never integer-like), so they pair up with
 * `series` by position.
 */
export function fillHistogram<L extends string>(
  histogram: Histogram<L>,
  series: Iterable<[Record<L, string>, Durations]>,
): void {
  histogram.reset()
  const observations: Durations[] = []
  for (const [labels, durations] of series) {
    histogram.zero(labels)
    observations.push(durations)
  }
  const stored = Object.values((histogram as unknown as { hashMap: Record<string, HistogramValues> }).hashMap)
  if (stored.length !== observations.length) throw new Error('histogram series out of step with prom-client')
  stored.forEach((value, i) => {
    const durations = observations[i]!
    value.sum = durations.sum
    value.count = durations.count
    DEFAULT_BUCKETS.forEach((bound, b) => {
      value.bucketValues[bound] = durations.buckets[b]!
    })
  })
}
