/**
 * @module
 * The primary process of a multi-process gateway (EDGEFAAS_PROCESSES > 1; see docs/architecture.md,
 * "Processes on Node"). It runs the whole gateway as a single process would — the API, the UI, every
 * background loop, the local provider and its function processes, TLS and ACME — and forks N−1 worker
 * processes that accept connections on the same ports (SO_REUSEPORT) and serve `/function/*` themselves.
 *
 * What the primary does for its workers, over each one's IPC channel:
 * - pushes the local replica tables they pick replicas from, holding each listed replica for them until
 *   they give it back (`replicas.subscribe`, `replicas.release`; replica-table.ts), and picks replicas
 *   for the calls they cannot (`local.target`, `release`);
 * - reconciles for their scale-from-zero (`reconcile.*`), so a burst at zero spawns once;
 * - decides rate limits on the in-memory GCRA state (`limiter.take`), so N processes let N× nothing through;
 * - relays route-cache invalidations both ways and tells them when domains or backends change;
 * - asks each for its metrics when /metrics is scraped, and sums them;
 * - restarts a worker that exits on its own; on close, drains them before anything else stops.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { isReplicaTableSource } from '../../../../providers/local/index.ts'
import type { InvocationTargetRequest, Provider } from '../../../../providers/types.ts'
import type { RateLimit } from '../../../access/rate-limit/policy.ts'
import { LOCAL_BACKEND } from '../../../backends/schema.ts'
import type { GatewayDeps } from '../../../deps.ts'
import type { Logger } from '../../../logger.ts'
import type { RouteCache } from '../../../routing/route-cache.ts'
import { Channel } from './channel.ts'
import { desiredFromWire, type RemoteTarget } from './remote-local-provider.ts'
import { createReplicaPublisher, type ReplicaPublisher } from './replica-table.ts'
import type { WorkerInit } from './worker-init.ts'

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url))
const READY_DEADLINE_MS = 60_000
const RESTART_MIN_MS = 100
const RESTART_MAX_MS = 5_000
/** A worker that ran this long before exiting is restarted without back-off. */
const STABLE_MS = 30_000

export interface ClusterListeners {
  /** The public port workers join, and the primary's internal port they forward the rest to. */
  api: { port: number; internalPort: number } | null
  functions: { port: number; internalPort: number } | null
}

interface WorkerSlot {
  index: number
  child: ChildProcess | null
  channel: Channel | null
  leases: Map<number, () => void>
  /** The replica tables pushed to this worker, and the holds it has not given back. */
  tables: ReplicaPublisher | null
  startedAt: number
  restarts: number
  exited: Promise<void>
}

export interface ClusterPrimary {
  /** Wraps the gateway's route cache so every invalidation here reaches every worker. */
  wrapRoutes(routes: RouteCache): RouteCache
  /** Forks the workers once the primary listens, and resolves when each one listens too. */
  start(deps: GatewayDeps, listeners: ClusterListeners): Promise<void>
  /** The metrics of every running worker, as prom-client JSON, for /metrics to sum. */
  workerMetrics(): Promise<unknown[]>
  /** Messages received from workers so far, by call op or event kind (all workers, restarts included). */
  received(): ReadonlyMap<string, number>
  /** Pids of the running workers (tests, /system/info could show them). */
  pids(): number[]
  /** Drains every worker (they stop accepting and finish their calls), then lets them exit. */
  stop(deadlineMs: number): Promise<void>
}

export function createClusterPrimary(options: {
  workers: number
  secret: string
  logger: Logger
  /** Run in the worker processes; default `process.execArgv` without inspector flags. */
  execArgv?: string[]
}): ClusterPrimary {
  const { logger, secret } = options
  const slots: WorkerSlot[] = []
  let deps: GatewayDeps | null = null
  let listeners: ClusterListeners | null = null
  let stopping = false
  let nextLease = 1
  let innerRoutes: RouteCache | null = null
  const received = new Map<string, number>()
  const count = (name: string) => received.set(name, (received.get(name) ?? 0) + 1)

  const broadcast = (message: { kind: string; [field: string]: unknown }, except?: Channel) => {
    for (const slot of slots) if (slot.channel && slot.channel !== except) slot.channel.send(message)
  }

  const local = (): Provider => {
    const provider = deps?.providers.get(LOCAL_BACKEND)
    if (!provider) throw new Error('the local provider is not open')
    return provider
  }

  function wire(slot: WorkerSlot, channel: Channel): void {
    channel.onEvent('replicas.subscribe', (message) => {
      if (!slot.tables) {
        const provider = deps?.providers.get(LOCAL_BACKEND)
        // Without tables (another local provider), the worker goes on asking `local.target`.
        if (!isReplicaTableSource(provider)) return
        slot.tables = createReplicaPublisher(provider, (m) => channel.send({ ...m }))
      }
      slot.tables.subscribe(message.namespace as string, message.name as string)
    })
    channel.onEvent('replicas.release', (message) => slot.tables?.release(message.hold as number))
    channel.handle('local.target', async (namespace: string, name: string, path: string, request) => {
      const provider = local()
      if (!provider.target) throw new Error('the local provider cannot name a target')
      const given = request as Pick<InvocationTargetRequest, 'method' | 'hasBody'>
      const target = await provider.target(namespace, name, path, {
        method: given.method,
        hasBody: given.hasBody,
        signal: new AbortController().signal,
      })
      const lease = nextLease++
      slot.leases.set(lease, () => target.done?.())
      const answer: RemoteTarget = {
        origin: target.origin,
        path: target.path,
        drop: [...target.dropResponseHeaders],
        lease,
      }
      return answer
    })
    channel.onEvent('release', (message) => {
      const lease = message.lease as number
      const done = slot.leases.get(lease)
      slot.leases.delete(lease)
      done?.()
    })
    channel.handle('local.info', () => local().info())
    channel.handle('local.apply', (desired: unknown) => local().apply(desiredFromWire(desired)))
    channel.handle('local.remove', (namespace: string, name: string) => local().remove(namespace, name))
    channel.handle('local.scale', (namespace: string, name: string, replicas: number) =>
      local().scale(namespace, name, replicas),
    )
    channel.handle('local.status', (namespace: string, name: string) => local().status(namespace, name))
    channel.handle('local.instances', (namespace: string, name: string) => local().instances(namespace, name))
    channel.handle('reconcile.function', (namespace: string, name: string) =>
      ready().reconciler.reconcileFunction(namespace, name),
    )
    channel.handle('reconcile.within', (namespace: string, name: string, timeoutMs: number) =>
      ready().reconciler.reconcileWithin(namespace, name, timeoutMs),
    )
    // One wait per function across every process: a burst at zero spread over processes spawns once.
    channel.handle('scaleFromZero.wait', async (namespace: string, name: string) => {
      const gateway = ready()
      const fn = await gateway.routes.get(namespace, name)
      if (!fn) return 'gone'
      if (!gateway.scaleFromZero) throw new Error('scale from zero is not shared')
      return gateway.scaleFromZero.waitUntilReady(fn, new AbortController().signal)
    })
    channel.handle('limiter.take', (key: string, limit: RateLimit, nowMicros: number) =>
      ready().access.limiter.take(key, limit, nowMicros),
    )
    channel.onEvent('invalidate', (message) => {
      innerRoutes?.invalidate(message.namespace as string, message.name as string)
      broadcast(message, channel)
    })
    channel.onEvent('invalidate-all', (message) => {
      innerRoutes?.clear()
      broadcast(message, channel)
    })
  }

  const ready = (): GatewayDeps => {
    if (!deps) throw new Error('the primary gateway is not started')
    return deps
  }

  function spawn(slot: WorkerSlot): Promise<void> {
    const execArgv = options.execArgv ?? process.execArgv.filter((arg) => !arg.startsWith('--inspect'))
    const child = fork(WORKER_ENTRY, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const channel = new Channel(child, count)
    slot.child = child
    slot.channel = channel
    slot.startedAt = Date.now()
    wire(slot, channel)
    slot.exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        channel.close()
        if (slot.child === child) {
          slot.child = null
          slot.channel = null
        }
        // Calls it had in flight are over: the replicas it used must not wait for them.
        for (const done of slot.leases.values()) done()
        slot.leases.clear()
        slot.tables?.close()
        slot.tables = null
        resolve()
        if (!stopping) restart(slot, code, signal)
      }),
    )
    const init: WorkerInit = {
      kind: 'init',
      index: slot.index,
      secret,
      api: listeners?.api ?? null,
      functions: listeners?.functions ?? null,
    }
    return new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`gateway worker ${slot.index} did not start within ${READY_DEADLINE_MS} ms`)),
        READY_DEADLINE_MS,
      )
      channel.onEvent('ready', () => {
        clearTimeout(deadline)
        resolve()
      })
      channel.onEvent('failed', (message) => {
        clearTimeout(deadline)
        reject(new Error(`gateway worker ${slot.index} failed to start: ${String(message.error)}`))
      })
      void slot.exited.then(() => {
        clearTimeout(deadline)
        reject(new Error(`gateway worker ${slot.index} exited while starting`))
      })
      channel.send({ ...init })
    })
  }

  function restart(slot: WorkerSlot, code: number | null, signal: NodeJS.Signals | null): void {
    const stable = Date.now() - slot.startedAt >= STABLE_MS
    slot.restarts = stable ? 0 : slot.restarts + 1
    const delay = stable ? 0 : Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (slot.restarts - 1))
    logger.warn('gateway worker process exited; starting another', {
      worker: slot.index,
      code,
      signal,
      inMs: delay,
    })
    setTimeout(() => {
      if (stopping) return
      spawn(slot).catch((error: unknown) => {
        logger.error('gateway worker process did not come back', { worker: slot.index, error })
        slot.child?.kill('SIGKILL')
      })
    }, delay).unref()
  }

  return {
    wrapRoutes(routes) {
      innerRoutes = routes
      return {
        get: (namespace, name) => routes.get(namespace, name),
        invalidate(namespace, name) {
          routes.invalidate(namespace, name)
          broadcast({ kind: 'invalidate', namespace, name })
        },
        clear() {
          routes.clear()
          broadcast({ kind: 'invalidate-all' })
        },
      }
    },

    async start(gatewayDeps, given) {
      deps = gatewayDeps
      listeners = given
      // Domains and backends change through the API, which only the primary serves: tell the workers.
      const domains = gatewayDeps.domains
      const invalidateDomains = domains.invalidate.bind(domains)
      domains.invalidate = () => {
        invalidateDomains()
        broadcast({ kind: 'domains' })
      }
      const registry = gatewayDeps.providers
      const refresh = registry.refresh.bind(registry)
      registry.refresh = async () => {
        await refresh()
        broadcast({ kind: 'backends' })
      }
      for (let index = 1; index <= options.workers; index++) {
        slots.push({
          index,
          child: null,
          channel: null,
          leases: new Map(),
          tables: null,
          startedAt: 0,
          restarts: 0,
          exited: Promise.resolve(),
        })
      }
      try {
        await Promise.all(slots.map((slot) => spawn(slot)))
      } catch (error) {
        stopping = true
        for (const slot of slots) slot.child?.kill('SIGKILL')
        await Promise.all(slots.map((slot) => slot.exited))
        throw error
      }
    },

    async workerMetrics() {
      const answers = await Promise.all(
        slots.map(
          (slot) => slot.channel?.call<unknown>('metrics').catch(() => null) ?? Promise.resolve(null),
        ),
      )
      return answers.filter((a) => a !== null)
    },

    received: () => received,

    pids() {
      return slots.flatMap((slot) => (slot.child?.pid ? [slot.child.pid] : []))
    },

    async stop(deadlineMs) {
      stopping = true
      for (const slot of slots) slot.channel?.send({ kind: 'drain', deadlineMs })
      const all = Promise.all(slots.map((slot) => slot.exited))
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs + 2_000)
      })
      if ((await Promise.race([all, late])) === 'late') {
        logger.warn('gateway worker processes did not drain in time; stopping them')
        for (const slot of slots) slot.child?.kill('SIGKILL')
        await all
      }
      clearTimeout(timer)
    },
  }
}
