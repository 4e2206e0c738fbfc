/**
 * @module
 * A gateway worker process (forked by primary.ts; not started by hand). It opens the same store and
 * builds the same gateway core as the primary, then joins the primary's ports (SO_REUSEPORT) and serves
 * `/function/*` on the native transport itself; everything else is relayed to the primary (forward.ts).
 * It picks local replicas itself from tables the primary pushes (worker-replicas.ts); what must stay
 * single in the gateway is asked of the primary over IPC: a replica when its table is empty, reconciling
 * for scale from zero, in-memory rate limits. It runs no background loop but the autoscaler's, which
 * publishes this process's load (the decision is under a lease the primary holds). It exits when told
 * to drain, and when the primary is gone.
 */
import type { Server } from 'node:http'
import type { RateLimiter } from '../../../access/rate-limit/limiter.ts'
import { loadConfig } from '../../../config.ts'
import { mayBeCustomDomain } from '../../../domains/front.ts'
import { createGateway } from '../../../gateway.ts'
import { servesInvocations } from '../../../gateway-fetch.ts'
import { invocationFor } from '../../../invoke/invoker.ts'
import type { ScaleFromZero, WaitOutcome } from '../../../invoke/scale-from-zero.ts'
import { consoleLogger } from '../../../logger.ts'
import type { Reconciler } from '../../../reconcile/reconciler.ts'
import type { RouteCache } from '../../../routing/route-cache.ts'
import type { HookedResponse } from '../caller-response.ts'
import { clientAddress } from '../client-address.ts'
import { openHostDrivers } from '../drivers.ts'
import { startLoop } from '../loop.ts'
import { createNativeInvoker } from '../native-invoke.ts'
import { beforeEachRequest, createGatewayServer } from '../serve.ts'
import { Channel, type EventMessage } from './channel.ts'
import { createForwarder } from './forward.ts'
import { countRequests, metricsJson } from './metrics.ts'
import { createRemoteLocalProvider } from './remote-local-provider.ts'
import type { ReplicasMessage } from './replica-table.ts'
import type { WorkerInit } from './worker-init.ts'
import { createWorkerReplicas } from './worker-replicas.ts'

/** How long a worker whose primary vanished lets its calls finish: the function processes died with it. */
const ORPHAN_DRAIN_MS = 2_000

async function main(): Promise<void> {
  const channel = new Channel(process)
  const init = await new Promise<WorkerInit>((resolve) =>
    channel.onEvent('init', (message: EventMessage) => resolve(message as unknown as WorkerInit)),
  )
  try {
    await serve(channel, init)
  } catch (error) {
    channel.send({ kind: 'failed', error: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
}

async function serve(channel: Channel, init: WorkerInit): Promise<void> {
  // The primary's environment, which it validated already; the ports are the ones it actually bound.
  const config = loadConfig(process.env)
  const logger = consoleLogger(config.logLevel)
  // Local replicas are picked here, from tables the primary pushes (no IPC per call).
  const replicas = createWorkerReplicas({
    subscribe: (namespace, name) => channel.send({ kind: 'replicas.subscribe', namespace, name }),
    release: (hold) => channel.send({ kind: 'replicas.release', hold }),
  })
  channel.onEvent('replicas', (m) => replicas.apply(m as unknown as ReplicasMessage))
  const host = await openHostDrivers(config, logger, {
    clientAddress,
    processMetrics: true,
    clusterWorker: { local: createRemoteLocalProvider(channel, replicas) },
  })
  let ownRoutes: RouteCache | null = null
  // Scale from zero is the primary's: one wait per function whichever process the calls reach.
  const scaleFromZero: ScaleFromZero = {
    waitUntilReady: (fn, signal) =>
      new Promise<WaitOutcome>((resolve, reject) => {
        const onAbort = () => reject(signal.reason)
        if (signal.aborted) return onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        channel
          .call<WaitOutcome>('scaleFromZero.wait', fn.namespace, fn.name)
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort))
      }),
  }
  const gateway = createGateway({
    ...host.drivers,
    // A worker never holds a lease, so no loop (the autoscaler's decision, reconcile, cron…) can move
    // here even if the primary is slow to renew: its autoscaler tick only publishes this process's load.
    store: { ...host.drivers.store, tryAcquireLease: async () => false },
    scaleFromZero,
    // An invalidation here (a scale from zero) goes to the primary, which passes it to the others.
    wrapRoutes: (routes) => {
      ownRoutes = routes
      return {
        get: (namespace, name) => routes.get(namespace, name),
        invalidate(namespace, name) {
          routes.invalidate(namespace, name)
          channel.send({ kind: 'invalidate', namespace, name })
        },
        clear() {
          routes.clear()
          channel.send({ kind: 'invalidate-all' })
        },
      }
    },
  })
  const { deps } = gateway
  channel.onEvent('invalidate', (m) => ownRoutes?.invalidate(m.namespace as string, m.name as string))
  channel.onEvent('invalidate-all', () => ownRoutes?.clear())
  channel.onEvent('domains', () => deps.domains.invalidate())
  channel.onEvent('backends', () => {
    deps.providers.refresh().catch((error: unknown) => logger.warn('backends refresh failed', { error }))
  })
  channel.handle('metrics', () => metricsJson(host.metrics.registry))

  // The core built these before this point and holds them: their methods are replaced in place.
  // Reconciling is the primary's (it owns the function processes): an autoscaler write here asks it.
  const reconciler: Reconciler = {
    reconcileFunction: (namespace, name) => channel.call('reconcile.function', namespace, name),
    reconcileWithin: (namespace, name, timeoutMs) =>
      channel.call('reconcile.within', namespace, name, timeoutMs),
    reconcileOnce: async () => ({ applied: 0, failed: 0, removed: 0 }),
  }
  Object.assign(deps.reconciler, reconciler)
  // GCRA state in memory is the primary's, so N processes admit what one would (store state is shared).
  if (config.rateLimitState === 'memory') {
    const limiter: RateLimiter = {
      take: (key, limit, nowMicros) => channel.call('limiter.take', key, limit, nowMicros),
      prune: async () => {},
    }
    Object.assign(deps.access.limiter, limiter)
  }

  const invoke = createNativeInvoker({
    run: invocationFor(deps),
    upstream: host.upstream,
    servedBy: `edgefaas/${deps.version.release}`,
    logger,
  })
  const forwarders: Array<{ close(): void }> = []
  const active = new Set<HookedResponse>()
  function forgetResponse(this: HookedResponse): void {
    active.delete(this)
  }
  let draining = false
  const listen = async (
    listener: 'api' | 'functions',
    ports: { port: number; internalPort: number },
  ): Promise<Server> => {
    const forwarder = createForwarder({ port: ports.internalPort, secret: init.secret })
    forwarders.push(forwarder)
    const server = createGatewayServer({
      fetch: gateway.fetch,
      hostname: config.host,
      fallback: forwarder.forward,
      ...(config.nativeInvoke
        ? {
            native: {
              invoke,
              servesInvocations: (hostHeader: string | undefined) =>
                !mayBeCustomDomain(deps.domains, config.functionsHost, hostHeader) &&
                servesInvocations(config, listener, hostHeader),
              wire: config.wire,
            },
          }
        : {}),
    })
    // While draining, answers say `Connection: close`, so no caller reuses a connection about to close.
    beforeEachRequest(server, (res: HookedResponse) => {
      if (draining) res.shouldKeepAlive = false
      active.add(res)
      // One shared listener, no closure or once-wrapper per call: 'close' comes once per response.
      res.on('close', forgetResponse)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port: ports.port, host: config.host, reusePort: true }, () => resolve())
    })
    return server
  }
  const servers: Server[] = []
  if (init.functions) servers.push(await listen('functions', init.functions))
  if (init.api) servers.push(await listen('api', init.api))
  countRequests(host.metrics.registry, init.index, servers)
  const autoscaleLoop = startLoop('autoscale', gateway.autoscale, config.autoscale.intervalMs, logger)

  let stopping: Promise<void> | undefined
  const drain = (deadlineMs: number) => {
    stopping ??= (async () => {
      draining = true
      for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false
      await autoscaleLoop.stop()
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
      // Connections go as soon as they are idle; calls in flight get until the deadline.
      const idle = setInterval(() => {
        for (const s of servers) s.closeIdleConnections()
      }, 25)
      const cut = setTimeout(() => {
        for (const s of servers) s.closeAllConnections()
      }, deadlineMs)
      await closed
      clearInterval(idle)
      clearTimeout(cut)
      for (const f of forwarders) f.close()
      await host.close().catch((error: unknown) => logger.warn('worker close failed', { error }))
      channel.close()
      process.exit(0)
    })()
    return stopping
  }
  channel.onEvent('drain', (m) => void drain(Number(m.deadlineMs) || 10_000))
  // The primary went away (killed): its function processes are gone too; finish quickly and leave.
  process.once('disconnect', () => void drain(ORPHAN_DRAIN_MS))
  // A terminal's Ctrl-C or a service manager signals the whole group: the primary orchestrates the drain.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined)
  channel.send({ kind: 'ready' })
}

void main()
