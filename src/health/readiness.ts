/**
 * @module
 * Readiness (`GET /readyz`): whether this gateway should get traffic now, for load balancers and drains.
 * `/healthz` stays liveness (the process serves; the OpenFaaS contract's 200 `OK`); readiness adds what
 * a load balancer needs to route around an instance: the store answers a ping, the queue (NATS) answers
 * a JetStream round trip, and the instance is not draining (shutting down: it finishes what it holds
 * while the balancer stops sending it new work).
 *
 * Public on purpose (no credentials: load balancers have none), so it says little: which component is
 * failing, never an address, an error message or a version. Checks are cached for `cacheMs` and shared
 * by concurrent requests, so a flood of `/readyz` costs the database one ping per interval, not one per
 * request.
 */
import type { QueueDriver } from '../queue/types.ts'
import type { Store } from '../store/types.ts'

export type CheckState = 'ok' | 'unreachable'

export interface ReadinessReport {
  ready: boolean
  draining: boolean
  store: CheckState
  /** `none`: no queue configured or the driver has no check of its own (the embedded queue is the store). */
  queue: CheckState | 'none'
}

export interface Readiness {
  check(): Promise<ReadinessReport>
  /** From now on report not ready (shutdown started); never undone. */
  drain(): void
  readonly draining: boolean
}

export interface ReadinessOptions {
  store: Pick<Store, 'ping'>
  queue: Pick<QueueDriver, 'ready'> | null
  /** How long one result is reused. Default 1 000 ms. */
  cacheMs?: number
  /** A check that has not answered within this is unreachable. Default 2 000 ms. */
  timeoutMs?: number
  now?: () => number
}

async function probe(run: () => Promise<void>, timeoutMs: number): Promise<CheckState> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), timeoutMs)
  })
  try {
    return await Promise.race([run().then((): CheckState => 'ok'), timeout])
  } catch {
    return 'unreachable'
  } finally {
    clearTimeout(timer)
  }
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const cacheMs = options.cacheMs ?? 1000
  const timeoutMs = options.timeoutMs ?? 2000
  const now = options.now ?? Date.now
  let draining = false
  let cached: { at: number; report: Promise<Omit<ReadinessReport, 'ready' | 'draining'>> } | null = null

  const measure = async () => {
    const queue = options.queue
    const [store, queueState] = await Promise.all([
      probe(() => options.store.ping(), timeoutMs),
      queue?.ready
        ? probe(() => queue.ready?.() ?? Promise.resolve(), timeoutMs)
        : Promise.resolve('none' as const),
    ])
    return { store, queue: queueState }
  }

  return {
    async check() {
      const t = now()
      if (!cached || t - cached.at >= cacheMs) cached = { at: t, report: measure() }
      const states = await cached.report
      const ready = !draining && states.store === 'ok' && states.queue !== 'unreachable'
      return { ready, draining, ...states }
    },
    drain() {
      draining = true
    },
    get draining() {
      return draining
    },
  }
}

/** The plain-text body: `ready`, or `not ready: <what>` naming only the failing parts. */
export function describeReadiness(report: ReadinessReport): string {
  if (report.ready) return 'ready'
  const reasons: string[] = []
  if (report.draining) reasons.push('draining')
  if (report.store !== 'ok') reasons.push('store unreachable')
  if (report.queue === 'unreachable') reasons.push('queue unreachable')
  return `not ready: ${reasons.join(', ')}`
}
