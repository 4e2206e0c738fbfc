/**
 * @module
 * How many processes a gateway runs, and the primary's side of it in startGateway: summed metrics and
 * relayed route invalidations before the core is built, then internal loopback listeners mirroring the
 * public ones, and the worker processes once the primary listens. See primary.ts for what each side does.
 */
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism } from 'node:os'
import type { Config } from '../../../config.ts'
import type { GatewayDeps } from '../../../deps.ts'
import type { GatewayDrivers } from '../../../gateway.ts'
import { scaleFromZeroFor } from '../../../invoke/invoker.ts'
import type { ScaleFromZero } from '../../../invoke/scale-from-zero.ts'
import type { Logger } from '../../../logger.ts'
import type { HostDrivers } from '../drivers.ts'
import { createInternalListener } from './forward.ts'
import { countClusterMessages, countRequests, summedMetrics } from './metrics.ts'
import { createClusterPrimary } from './primary.ts'

export interface ClusterAssembly {
  drivers(host: HostDrivers): GatewayDrivers
  /** Right after createGateway, before the first call: the one scale from zero every process shares. */
  prepare(deps: GatewayDeps): void
  start(deps: GatewayDeps, listeners: { api: Server | null; functions: Server | null }): Promise<void>
  /** Drains and stops the workers, then closes the internal listeners; `deadlineMs` for their calls. */
  stop(deadlineMs: number): Promise<void>
}

/** Beyond this, the primary (the API, every loop, rate limits over IPC) limits more than cores do. */
const AUTO_MAX_PROCESSES = 8

/**
 * What `npm start` / `edgefaas serve` run: EDGEFAAS_PROCESSES, with `auto` as the cores this process may
 * use (at most 8); one core gives one process, as before.
 */
export function launcherProcesses(config: Config): number {
  if (config.processes !== 'auto') return config.processes
  return Math.max(1, Math.min(AUTO_MAX_PROCESSES, availableParallelism()))
}

/**
 * The cluster for this start, or null for one process: `processes` when given, else EDGEFAAS_PROCESSES
 * (`auto` is 1 here; run.ts resolves it for `npm start`). No listener (`edgefaas worker`) or an
 * in-memory store (nothing to share between processes) means one process.
 */
export function clusterFor(
  config: Config,
  logger: Logger,
  listen: boolean,
  processes?: number,
): ClusterAssembly | null {
  const count = processes ?? (config.processes === 'auto' ? 1 : config.processes)
  if (count <= 1 || !listen) return null
  if (/^(file:)?:memory:$/.test(config.databaseUrl.trim())) {
    logger.warn('EDGEFAAS_PROCESSES is ignored with an in-memory store: the processes could not share it')
    return null
  }
  const secret = randomBytes(32).toString('base64url')
  const primary = createClusterPrimary({ workers: count - 1, secret, logger })
  const internal: Server[] = []
  let started = false
  let registry: HostDrivers['metrics']['registry'] | null = null
  // One scale from zero for every process: handed to the core before it builds its invoker, built on
  // first use from the finished deps (its reconciler and route cache exist only after createGateway).
  let gatewayDeps: GatewayDeps | null = null
  let shared: ScaleFromZero | null = null
  const scaleFromZero: ScaleFromZero = {
    waitUntilReady(fn, signal) {
      if (!gatewayDeps) throw new Error('the gateway is not assembled yet')
      shared ??= scaleFromZeroFor({ ...gatewayDeps, scaleFromZero: undefined })
      return shared.waitUntilReady(fn, signal)
    },
  }
  return {
    drivers(host) {
      registry = host.metrics.registry
      return {
        ...host.drivers,
        metrics: summedMetrics(host.metrics, () => primary.workerMetrics()),
        wrapRoutes: (routes) => primary.wrapRoutes(routes),
        scaleFromZero,
      }
    },
    prepare(deps) {
      gatewayDeps = deps
    },
    async start(deps, listeners) {
      const mirror = async (server: Server | null) => {
        if (!server) return null
        const handler = server.listeners('request')[0] as Parameters<typeof createInternalListener>[1]
        const mirrored = createInternalListener(secret, handler)
        internal.push(mirrored)
        await new Promise<void>((resolve, reject) => {
          mirrored.once('error', reject)
          mirrored.listen({ port: 0, host: '127.0.0.1' }, () => resolve())
        })
        return {
          port: (server.address() as AddressInfo).port,
          internalPort: (mirrored.address() as AddressInfo).port,
        }
      }
      const api = await mirror(listeners.api)
      const functions = await mirror(listeners.functions)
      if (registry) {
        countRequests(registry, 0, [listeners.api, listeners.functions])
        countClusterMessages(registry, () => primary.received())
      }
      started = true
      await primary.start(deps, { api, functions })
    },
    async stop(deadlineMs) {
      if (started) await primary.stop(deadlineMs)
      await Promise.all(internal.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    },
  }
}
