/**
 * @module
 * Metrics on Workers: each isolate records into a delta (src/metrics/delta.ts) and flushes it to the
 * `MetricsAggregator` Durable Object (one instance, `global`), which adds every isolate's deltas up, keeps
 * them in its storage and serves the Prometheus text that `GET /metrics` returns. A flush is one
 * Durable Object request, made after a response (`ctx.waitUntil`) at most once per `FLUSH_EVERY_MS` per
 * isolate, and before every render, so a scrape sees this isolate's calls at once and the others' within
 * a second of their last request. An isolate that is evicted loses at most its unflushed second.
 *
 * The stub is fetched per flush: a Durable Object stub is an I/O object of the request that made it.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  createDeltaMetrics,
  type DeltaMetrics,
  type MetricsDelta,
  MetricTotals,
} from '../../metrics/delta.ts'

const FLUSH_EVERY_MS = 1000
const STORAGE_KEY = 'totals'

export interface MetricsEnv {
  METRICS: DurableObjectNamespace<MetricsAggregator>
}

/** The one aggregator every isolate flushes to. */
export class MetricsAggregator extends DurableObject {
  private totals = new MetricTotals()

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      this.totals = new MetricTotals((await ctx.storage.get<Record<string, number>>(STORAGE_KEY)) ?? {})
    })
  }

  async add(delta: MetricsDelta): Promise<void> {
    this.totals.apply(delta)
    await this.ctx.storage.put(STORAGE_KEY, Object.fromEntries(this.totals.values))
  }

  render(): string {
    return this.totals.render()
  }

  invocationCounts(): Record<string, number> {
    return this.totals.invocationCounts()
  }
}

export type WorkersMetrics = DeltaMetrics & {
  /** Sends what this isolate recorded if the last flush is `FLUSH_EVERY_MS` old (for `ctx.waitUntil`). */
  flushIfDue(): Promise<void>
  flush(): Promise<void>
}

export function createWorkersMetrics(namespace: MetricsEnv['METRICS']): WorkersMetrics {
  const aggregator = () => namespace.get(namespace.idFromName('global'))
  let lastFlush = 0
  const flush = async () => {
    const delta = metrics.take()
    if (!delta) return
    lastFlush = Date.now()
    try {
      await aggregator().add(delta)
    } catch (error) {
      metrics.restore(delta)
      throw error
    }
  }
  const metrics = createDeltaMetrics({
    async render() {
      await flush()
      return await aggregator().render()
    },
    async invocationCounts() {
      await flush().catch(() => undefined)
      return new Map(Object.entries(await aggregator().invocationCounts()))
    },
  })
  return Object.assign(metrics, {
    flush,
    async flushIfDue() {
      if (Date.now() - lastFlush < FLUSH_EVERY_MS) return
      await flush().catch((error: unknown) => console.error('metrics flush failed; kept for the next', error))
    },
  })
}
