/**
 * @module
 * `createGateway(drivers)`: the one assembly of a gateway, whatever the runtime. A runtime opens its
 * drivers (store, queue, providers, metrics, callback transport, DNS) and hands them in; this builds the
 * rest (reconciler, route cache, the app, the invocation entry, the async worker, the background tick) the
 * same way everywhere, so a new runtime only opens drivers and serves `fetch`.
 */
import type { Hono } from 'hono'
import { pruneAccessRecords } from './access/retention.ts'
import { createAccess } from './access/services.ts'
import { createApp } from './app.ts'
import { autoscaleMetrics, buildAutoscaler } from './autoscale/assemble.ts'
import type { GatewayDeps } from './deps.ts'
import { createDomainCache } from './domains/domain-cache.ts'
import { createGatewayFetch, type GatewayFetch } from './gateway-fetch.ts'
import { createReadiness } from './health/readiness.ts'
import type { RunInvocation } from './invoke/invocation.ts'
import { invocationFor } from './invoke/invoker.ts'
import { functionLabel } from './metrics/types.ts'
import type { CallbackSender } from './queue/callbacks.ts'
import { createGatewayWorker } from './queue/gateway-worker.ts'
import type { InvokeQueued } from './queue/queued-invoke.ts'
import { pruneAsyncRecords } from './queue/retention.ts'
import type { AsyncWorker, QueueMetrics } from './queue/worker.ts'
import { createReconciler } from './reconcile/reconciler.ts'
import { createRouteCache, type RouteCache } from './routing/route-cache.ts'
import { createBackendRouter } from './routing/router.ts'
import { createGatewayTriggers } from './triggers/gateway-triggers.ts'
import type { Triggers } from './triggers/triggers.ts'
import type { TriggerContext, TriggerMetrics, TriggerSource } from './triggers/types.ts'
import type { UiVendorFiles } from './ui/assets.ts'
import { createUiServices } from './ui/services.ts'
import { sampleReplicas } from './ui/stats/sample-replicas.ts'

/** What a runtime opens and hands in: everything in `GatewayDeps` the core cannot build itself. */
export type GatewayDrivers = Omit<
  GatewayDeps,
  'reconciler' | 'routes' | 'router' | 'access' | 'domains' | 'triggers' | 'ui' | 'readiness'
> & {
  /** Posts async callbacks; each runtime brings its own transport (and its own address checks). */
  sendCallback: CallbackSender
  /** Queue worker series, where the runtime has a registry for them. */
  queueMetrics?: QueueMetrics
  /** The async worker's own invocation transport (Node: native, pooled); default the Web one. */
  queuedInvoke?: (run: RunInvocation, servedBy: string) => InvokeQueued
  /** Identifies this gateway in leases; random when omitted. */
  instanceId?: string
  /** Wraps the TTL route cache (Workers: invalidation through a version row, src/routing/route-version.ts). */
  wrapRoutes?: (routes: RouteCache) => RouteCache
  /** Trigger sources the runtime opens connections for (SQS, NATS); cron is built by the core. */
  triggerSources?: (context: TriggerContext) => TriggerSource[]
  triggerMetrics?: TriggerMetrics
  /** How far back the cron scheduler looks for instants not yet run (Workers: one cron period). */
  cronCatchUpMs?: number
  /** uPlot and htmx for the dashboard, read by the runtime (no CDN); without them the pages still work. */
  uiVendorFiles?: UiVendorFiles
}

export interface Gateway {
  deps: GatewayDeps
  /** The Hono app behind the API routes (what `fetch` hands non-invocation requests to). */
  app: Hono
  /** The API origin's handler: the one door for every request, invocations included. */
  fetch: GatewayFetch
  /** The handler of a functions-only origin (EDGEFAAS_FUNCTIONS_PORT); `functionsAt` names where it is. */
  functionsFetch(functionsAt?: string): { api: GatewayFetch; functions: GatewayFetch }
  /** Drains the async queue; null when the queue is off or `EDGEFAAS_WORKER=false`. */
  worker: AsyncWorker | null
  /** Event triggers (cron, SQS, NATS); null without a queue or with `EDGEFAAS_TRIGGERS=false`. */
  triggers: Triggers | null
  /**
   * One pass of the background work: follow the stored backends and probe them, reconcile desired
   * state onto backends (probing ejected backends beside it), prune finished async records, refresh the
   * replica gauge. Node and Deno run it on a timer, Workers from `scheduled()`.
   */
  tick(): Promise<void>
  /**
   * One autoscaler tick (src/autoscale/autoscaler.ts): publish this gateway's load; under the
   * `autoscale` lease, decide and write desired replicas. Run every EDGEFAAS_AUTOSCALE_INTERVAL.
   */
  autoscale(): Promise<void>
}

export function createGateway(drivers: GatewayDrivers): Gateway {
  const {
    sendCallback,
    queueMetrics,
    queuedInvoke,
    instanceId: givenInstanceId,
    triggerSources,
    triggerMetrics,
    cronCatchUpMs,
    wrapRoutes,
    uiVendorFiles,
    ...given
  } = drivers
  const { store, providers, cipher, logger, config } = given
  const instanceId = givenInstanceId ?? crypto.randomUUID()
  const ttlRoutes = createRouteCache(store, config.routeCacheTtlMs)
  const routes = wrapRoutes ? wrapRoutes(ttlRoutes) : ttlRoutes
  const scaling = autoscaleMetrics(config, given.metrics)
  const dashboard = createUiServices(uiVendorFiles, scaling.metrics)
  const triggers = createGatewayTriggers(given, {
    instanceId,
    ...(triggerSources ? { sources: triggerSources } : {}),
    ...(triggerMetrics ? { metrics: triggerMetrics } : {}),
    ...(cronCatchUpMs ? { cronCatchUpMs } : {}),
  })
  const deps: GatewayDeps = {
    ...given,
    metrics: dashboard.metrics,
    ui: dashboard.ui,
    triggers,
    reconciler: createReconciler({
      store,
      providers,
      cipher,
      logger,
      instanceId,
      onPlacementChange: (namespace, name) => routes.invalidate(namespace, name),
    }),
    routes,
    domains: createDomainCache(store, config.routeCacheTtlMs, logger),
    router: createBackendRouter({
      providers,
      metrics: given.metrics,
      logger,
      budget: { ratio: config.failoverBudgetPercent / 100 },
    }),
    access: createAccess({
      store,
      config,
      logger,
      sendCallback,
      userAgent: `edgefaas-audit/${given.version.release}`,
    }),
    readiness: createReadiness({ store, queue: given.queue }),
  }
  const app = createApp(deps)
  const autoscaler = buildAutoscaler(deps, scaling, instanceId)
  const worker =
    deps.queue && config.worker
      ? createGatewayWorker(deps, deps.queue, {
          sendCallback,
          ...(queueMetrics ? { metrics: queueMetrics } : {}),
          ...(queuedInvoke
            ? { invokeQueued: queuedInvoke(invocationFor(deps), `edgefaas/${deps.version.release}`) }
            : {}),
        })
      : null
  return {
    deps,
    app,
    fetch: createGatewayFetch(app, deps),
    functionsFetch: (functionsAt) => ({
      api: createGatewayFetch(app, deps, functionsAt ? { functionsAt } : {}),
      functions: createGatewayFetch(app, deps, { listener: 'functions' }),
    }),
    worker,
    triggers,
    async tick() {
      // Backends first: one added through another gateway is reconciled onto, one that came back is
      // caught up at once, and selector placements see the labels as they are now.
      await deps.providers.refresh()
      await deps.providers.probe()
      // Routing probes run beside the reconcile: an ejected backend should not wait for a slow apply.
      const probes = deps.router.probe()
      await deps.reconciler.reconcileOnce()
      await pruneAsyncRecords(store, config.callRetentionMs)
      await pruneAccessRecords(deps)
      if (deps.metrics) {
        const functions = await store.listFunctions()
        deps.metrics.setServiceCounts(
          new Map(functions.map((f) => [functionLabel(f.name, f.namespace), f.replicas])),
        )
        if (deps.ui.stats) await sampleReplicas(store, functions, deps.ui.stats)
        deps.metrics.setCertificates?.(await store.listCertificates())
      }
      await probes
    },
    async autoscale() {
      if (config.autoscale.enabled) await autoscaler.autoscaleOnce()
    },
  }
}

/** What every store needs before a gateway serves: the default namespace, which faas-cli assumes exists. */
export async function seedStore(store: GatewayDeps['store'], config: GatewayDeps['config']): Promise<void> {
  await store.createNamespace({ name: config.defaultNamespace, labels: { openfaas: '1' }, annotations: {} })
}

/**
 * `request(path, init)` through a gateway's one door, for in-process callers (tests, the CLI): the path
 * is kept raw, as a socket would deliver it, so path normalisation is exercised as on a real server.
 */
export function requestThrough(fetch: GatewayFetch): (path: string, init?: RequestInit) => Promise<Response> {
  return (path, init) =>
    fetch(new Request(/^https?:\/\//.test(path) ? path : `http://localhost${path}`, init))
}
