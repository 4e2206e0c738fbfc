/**
 * @module
 * The Node runtime: opens the drivers (embedded SQLite or PostgreSQL, the queue, the local provider, the
 * secrets key and admin credentials from the data folder, Prometheus metrics, the callback transport),
 * hands them to the core's `createGateway`, serves it over HTTP and runs its background tick on a timer.
 * Used by `npm start` (main.ts) and by the tests that need a real listening gateway.
 */
import { lookup } from 'node:dns/promises'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { createLocalProvider } from '../../../providers/local/index.ts'
import type { Provider } from '../../../providers/types.ts'
import type { Config } from '../../config.ts'
import type { GatewayDeps } from '../../deps.ts'
import { createGateway, requestThrough, seedStore } from '../../gateway.ts'
import type { GatewayFetch } from '../../gateway-fetch.ts'
import { consoleLogger, type Logger } from '../../logger.ts'
import { staticRegistry } from '../../routing/registry.ts'
import { createSecretCipher } from '../../store/cipher.ts'
import { buildInfo } from './build-info.ts'
import { createCallbackSender } from './callback-sender.ts'
import { clientAddress } from './client-address.ts'
import { type ResolvedCredentials, resolveAdminCredentials } from './credentials.ts'
import { startLoop } from './loop.ts'
import { createPromMetrics } from './metrics.ts'
import { openQueue } from './open-queue.ts'
import { openStore } from './open-store.ts'
import { ensurePrivateDir } from './private-files.ts'
import { resolveSecretsKey } from './secrets-key.ts'

const WORKER_STOP_DEADLINE_MS = 10_000

export interface RunningGateway {
  url: string
  /** The functions-only listener's URL (EDGEFAAS_FUNCTIONS_PORT); null when functions share `url`. */
  functionsUrl: string | null
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
  /**
   * Backends beside `local`, by name (tests: a front door over other gateways until backends come
   * from the store). The caller owns them: they are not closed with the gateway.
   */
  providers?: Record<string, Provider>
}

export async function startGateway(
  config: Config,
  logger: Logger = consoleLogger(config.logLevel),
  options: StartOptions = {},
): Promise<RunningGateway> {
  ensurePrivateDir(config.dataDir)
  const credentials = config.basicAuth ? await resolveAdminCredentials(config) : null
  const cipher = await createSecretCipher(await resolveSecretsKey(config))
  const { store, close: closeStore } = await openStore(config.databaseUrl, config.dataDir)
  await seedStore(store, config)

  const local = createLocalProvider({
    dataDir: config.dataDir,
    sandbox: config.localSandbox,
    logger,
    callTimeoutMs: config.upstreamTimeoutMs,
  })
  const providers = staticRegistry({ ...options.providers, local })
  await store.upsertBackend({ name: 'local', kind: 'local', config: {} })

  const metrics = createPromMetrics({ processMetrics: true })
  const queue = await openQueue(config.queueUrl, store)
  const { version, arch } = await buildInfo(config.buildSha)
  const gateway = createGateway({
    config,
    store,
    providers,
    cipher,
    credentials: credentials?.credentials ?? null,
    metrics,
    queueMetrics: metrics,
    clientAddress,
    queue,
    resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
    sendCallback: createCallbackSender(config.callbackPolicy),
    logger,
    version,
    arch,
  })
  const { app, deps } = gateway
  const listen = options.listen !== false
  // Bound first, so the API's answer to /function/* can name the port actually chosen.
  const functionsServer =
    listen && config.functionsPort !== undefined
      ? await listening(
          serve({
            fetch: gateway.functionsFetch().functions,
            port: config.functionsPort,
            hostname: config.host,
          }),
        )
      : null
  const functionsPort = functionsServer ? (functionsServer.address() as AddressInfo).port : 0
  const server = listen
    ? await listening(
        serve({
          fetch: functionsServer ? gateway.functionsFetch(`port ${functionsPort}`).api : gateway.fetch,
          port: config.port,
          hostname: config.host,
        }),
      ).catch((error: unknown) => {
        functionsServer?.close()
        throw error
      })
    : null
  const port = server ? (server.address() as AddressInfo).port : 0
  const worker = gateway.worker
  worker?.start()
  const loop = startLoop('reconcile', gateway.tick, config.reconcileIntervalMs, logger)

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      await loop.stop()
      // Running async calls get a moment to finish; the rest go back to the queue for another worker.
      await worker?.stop(WORKER_STOP_DEADLINE_MS)
      for (const listener of [server, functionsServer]) {
        if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()))
      }
      await local.close()
      await queue.close()
      await closeStore()
    })()
    return closing
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const base = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}`
  return {
    url: `${base}:${port}`,
    functionsUrl: functionsServer ? `${base}:${functionsPort}` : null,
    app,
    fetch: gateway.fetch,
    request: requestThrough(gateway.fetch),
    port,
    deps,
    credentials,
    close,
  }
}

/** Resolves with `server` once it listens; rejects when it cannot (port taken). */
async function listening<S extends Pick<ServerType, 'once'>>(server: S): Promise<S> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return server
}
