/**
 * @module
 * The background loops a Worker runs from its cron trigger, each a bounded step under a D1 lease
 * (src/loops/runner.ts). What `Gateway.tick()` does on Node and Deno in one go is split here into loops
 * that can each be resumed or skipped, so one cron invocation stays inside its CPU budget.
 *
 * Adding a loop (autoscale, triggers, certificate renewal…): write a `(gateway) => Loop` in your own
 * folder, keep each `step` to a small batch (return a cursor to go on next tick), and add it to
 * `WORKER_LOOPS` below. Order matters only inside one tick: earlier loops get the budget first.
 */
import { pruneAccessRecords } from '../../access/retention.ts'
import type { Gateway } from '../../gateway.ts'
import type { Loop } from '../../loops/runner.ts'
import { functionLabel } from '../../metrics/types.ts'
import { pruneAsyncRecords } from '../../queue/retention.ts'

export type LoopFactory = (gateway: Gateway) => Loop | null

/** Backends added or changed through another isolate, and their health (each probe is one request). */
const backends: LoopFactory = ({ deps }) => ({
  name: 'backends',
  everyMs: 0,
  async step() {
    await deps.providers.refresh()
    await deps.providers.probe()
    return null
  },
})

/**
 * Autoscaling (issue 12): publish this isolate's load and, under the `autoscale` lease, decide desired
 * replicas. Before reconcile, so a decision reaches the backends in the same tick.
 */
const autoscale: LoopFactory = (gateway) => ({
  name: 'autoscale',
  everyMs: 0,
  async step() {
    await gateway.autoscale()
    return null
  },
})

/**
 * Desired state onto backends: replica changes (manual, or an autoscaler's), placements, drift. One
 * `reconcileOnce` pass per step; it honours per-function backoff, so a failing backend costs one try.
 */
const reconcile: LoopFactory = ({ deps }) => ({
  name: 'reconcile',
  everyMs: 0,
  async step() {
    await Promise.all([deps.router.probe(), deps.reconciler.reconcileOnce()])
    return null
  },
})

/**
 * Event triggers (issue 19): reread subscriptions, then run the cron instants that are due (each claimed
 * in the store, so a second runner cannot fire one twice). Before the embedded queue, so the calls they
 * enqueue are drained in the same tick.
 */
const triggers: LoopFactory = ({ deps }) => {
  const t = deps.triggers
  return t
    ? {
        name: 'triggers',
        everyMs: 0,
        async step() {
          await t.sync()
          await t.runDue()
          return null
        },
      }
    : null
}

/** `gateway_service_count` and the certificate series for /metrics: desired replicas, certificate expiry. */
const serviceCounts: LoopFactory = ({ deps }) => {
  const metrics = deps.metrics
  return metrics
    ? {
        name: 'service-counts',
        everyMs: 0,
        async step() {
          const functions = await deps.store.listFunctions()
          metrics.setServiceCounts(
            new Map(functions.map((f) => [functionLabel(f.name, f.namespace), f.replicas])),
          )
          metrics.setCertificates?.(await deps.store.listCertificates())
          return null
        },
      }
    : null
}

/** Finished call statuses and stray payloads past the retention; hourly is plenty. */
const retention: LoopFactory = ({ deps }) => ({
  name: 'retention',
  everyMs: 60 * 60_000,
  async step() {
    await pruneAsyncRecords(deps.store, deps.config.callRetentionMs)
    return null
  },
})

/** Audit entries past their retention and rate-limit state that limits nothing any more (issue 13). */
const accessRetention: LoopFactory = ({ deps }) => ({
  name: 'access-retention',
  everyMs: 60_000,
  async step() {
    await pruneAccessRecords(deps)
    return null
  },
})

/** The embedded queue over D1 has no push consumer: each tick drains what is there (Queues need not). */
const embeddedQueue: LoopFactory = ({ deps, worker }) =>
  worker && deps.queue?.kind === 'embedded'
    ? {
        name: 'embedded-queue',
        everyMs: 0,
        async step() {
          await worker.drainOnce()
          return null
        },
      }
    : null

export const WORKER_LOOPS: readonly LoopFactory[] = [
  backends,
  autoscale,
  reconcile,
  triggers,
  embeddedQueue,
  serviceCounts,
  retention,
  accessRetention,
]
