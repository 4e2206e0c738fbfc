/**
 * @module
 * The Node runtime: opens the drivers (drivers.ts: embedded SQLite or PostgreSQL, the queue, the local
 * provider, the secrets key and admin credentials from the data folder, Prometheus metrics, the callback
 * transport), hands them to the core's `createGateway`, serves it over HTTP with @hono/node-server and
 * runs its background tick on a timer.
 * Used by `npm start` (main.ts) and by the tests that need a real listening gateway.
 */

import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'
import type { Provider } from '../../../providers/types.ts'
import type { AwsProviderFactory } from '../../backends/aws-providers.ts'
import type { Config } from '../../config.ts'
import type { GatewayDeps } from '../../deps.ts'
import { mayBeCustomDomain } from '../../domains/front.ts'
import { createGateway, requestThrough } from '../../gateway.ts'
import { type GatewayFetch, servesInvocations } from '../../gateway-fetch.ts'
import { invocationFor } from '../../invoke/invoker.ts'
import { consoleLogger, type Logger } from '../../logger.ts'
import { shownBase } from './announce.ts'
import { clientAddress } from './client-address.ts'
import { clusterFor } from './cluster/assemble.ts'
import type { ResolvedCredentials } from './credentials.ts'
import { openHostDrivers } from './drivers.ts'
import { startLoop } from './loop.ts'
import { createNativeAsyncSubmitter } from './native-async.ts'
import { createNativeInvoker } from './native-invoke.ts'
import { createGatewayServer } from './serve.ts'
import { createNodeTls } from './tls/node-tls.ts'

const WORKER_STOP_DEADLINE_MS = 10_000

export interface RunningGateway {
  url: string
  /** The functions-only listener's URL (EDGEFAAS_FUNCTIONS_PORT); null when functions share `url`. */
  functionsUrl: string | null
  /** The HTTPS listener's port for custom domains (EDGEFAAS_TLS_PORT); null when there is none. */
  tlsPort: number | null
  /** The Hono app behind the API routes (invocations do not go through it: use `request`). */
  app: Hono
  /** The gateway's one door as a handler: every request, invocations included. */
  fetch: GatewayFetch
  /** In-process requests through the one door (`request('/function/x', { method: 'POST' })`), no socket. */
  request(path: string, init?: RequestInit): Promise<Response>
  port: number
  deps: GatewayDeps
  credentials: ResolvedCredentials | null
  /** Stops the loop, the server and every function process; idempotent. */
  close(): Promise<void>
}

export interface StartOptions {
  /** false: no HTTP listener, only the background loops and the async worker (`edgefaas worker`). */
  listen?: boolean
  /** Where `${NAME}` in the backends file is looked up; default `process.env`. */
  env?: Record<string, string | undefined>
  /**
   * Backends beside `local` and the stored ones, by name (tests: a front door over providers built by
   * hand). The caller owns them: they are not closed with the gateway.
   */
  providers?: Record<string, Provider>
  /** Builds `lambda` and `ecs` backends' providers; default real AWS SDK clients (tests: mocked ones). */
  aws?: AwsProviderFactory
  /**
   * Processes accepting connections (cluster/); default EDGEFAAS_PROCESSES, where `auto` means 1 here:
   * the `npm start` launcher (run.ts) resolves `auto` to the available cores.
   */
  processes?: number
}

export async function startGateway(
  config: Config,
  logger: Logger = consoleLogger(config.logLevel),
  options: StartOptions = {},
): Promise<RunningGateway> {
  const host = await openHostDrivers(config, logger, {
    clientAddress,
    processMetrics: true,
    ...(options.env ? { env: options.env } : {}),
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.aws ? { aws: options.aws } : {}),
  })
  const cipher = host.drivers.cipher
  const tls = cipher ? createNodeTls({ config, store: host.drivers.store, cipher, logger }) : null
  // `edgefaas worker`, or EDGEFAAS_ROLES without `api`: no listener (src/cluster/config.ts).
  const listen = options.listen !== false && config.cluster.roles.has('api')
  const cluster = clusterFor(config, logger, listen, options.processes)
  const drivers = cluster ? cluster.drivers(host) : host.drivers
  const gateway = createGateway(tls ? { ...drivers, tls: tls.driver } : drivers)
  const { app, deps } = gateway
  cluster?.prepare(deps)
  // Bound first, so the API's answer to /function/* can name the port actually chosen.
  let functionsServer: Server | null = null
  let server: Server | null = null
  let functionsPort = 0
  // Invocations on node:http's own objects over the pooled upstream client; the rest through `fetch`.
  const invoke = createNativeInvoker({
    run: invocationFor(deps),
    upstream: host.upstream,
    servedBy: `edgefaas/${deps.version.release}`,
    logger,
  })
  const native = (listener: 'api' | 'functions') =>
    config.nativeInvoke
      ? {
          invoke,
          // Exactly what the fetch handler would invoke: not a custom domain's request (the domain front
          // maps those), and only on a listener and Host that serve functions.
          servesInvocations: (hostHeader: string | undefined) =>
            !mayBeCustomDomain(deps.domains, config.functionsHost, hostHeader) &&
            servesInvocations(config, listener, hostHeader),
          wire: config.wire,
        }
      : undefined
  // POST /async-function/* on node:http's own objects too, unless the Host is a custom domain's.
  const asyncSubmit = config.nativeInvoke
    ? {
        asyncSubmit: {
          submit: createNativeAsyncSubmitter(deps),
          serves: (hostHeader: string | undefined) =>
            !mayBeCustomDomain(deps.domains, config.functionsHost, hostHeader),
        },
      }
    : {}
  try {
    if (listen && config.functionsPort !== undefined) {
      const fetch = gateway.functionsFetch().functions
      const functions = native('functions')
      functionsServer = await listening(
        createGatewayServer({
          fetch,
          hostname: config.host,
          ...(functions ? { native: functions } : {}),
          ...asyncSubmit,
        }),
        config.functionsPort,
        config.host,
        cluster !== null,
      )
      functionsPort = (functionsServer.address() as AddressInfo).port
    }
    if (listen) {
      const fetch = functionsServer ? gateway.functionsFetch(`port ${functionsPort}`).api : gateway.fetch
      const api = native('api')
      server = await listening(
        createGatewayServer({
          fetch,
          hostname: config.host,
          ...(api ? { native: api } : {}),
          ...asyncSubmit,
        }),
        config.port,
        config.host,
        cluster !== null,
      )
    }
    // The other processes join these ports and pass what they do not serve back here.
    await cluster?.start(deps, { api: server, functions: functionsServer })
  } catch (error) {
    // A port that is taken must not leave the store, the queue and function processes open behind it.
    functionsServer?.close()
    server?.close()
    await cluster?.stop(0)
    await host.close()
    throw error
  }
  let tlsPort: number | null = null
  try {
    if (tls) tlsPort = (await tls.start(gateway.fetch, deps.domains, { listen })).port
  } catch (error) {
    await tls?.close()
    await cluster?.stop(0)
    for (const listener of [server, functionsServer]) listener?.close()
    await host.close()
    throw error
  }
  const port = server ? (server.address() as AddressInfo).port : 0
  const worker = gateway.worker
  worker?.start()
  gateway.triggers?.start()
  const loop = startLoop('reconcile', gateway.tick, config.reconcileIntervalMs, logger)
  const autoscaleLoop = startLoop('autoscale', gateway.autoscale, config.autoscale.intervalMs, logger)

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      // Worker processes first: they stop accepting and finish their calls while this one still serves
      // them (their relayed requests, their replicas); new connections come here meanwhile.
      await cluster?.stop(config.upstreamTimeoutMs + 1_000)
      await Promise.all([loop.stop(), autoscaleLoop.stop()])
      // Sources stop taking messages first; what they hold is recorded or goes back to its source.
      await gateway.triggers?.stop()
      // Running async calls get a moment to finish; the rest go back to the queue for another worker.
      await worker?.stop(WORKER_STOP_DEADLINE_MS)
      await tls?.close()
      for (const listener of [server, functionsServer]) {
        if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()))
      }
      await host.close()
    })()
    return closing
  }
  const base = shownBase(config.host)
  return {
    url: `${base}:${port}`,
    functionsUrl: functionsServer ? `${base}:${functionsPort}` : null,
    tlsPort,
    app,
    fetch: gateway.fetch,
    request: requestThrough(gateway.fetch),
    port,
    deps,
    credentials: host.credentials,
    close,
  }
}

/**
 * Resolves with `server` once it listens on `port`; rejects when it cannot (port taken). `reusePort`:
 * the gateway's other processes bind the same port (SO_REUSEPORT) and the kernel spreads connections.
 */
async function listening(server: Server, port: number, hostname: string, reusePort = false): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
    server.listen({ port, host: hostname, ...(reusePort ? { reusePort } : {}) })
  })
  return server
}
