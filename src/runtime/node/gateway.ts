/**
 * @module
 * Wires the Node runtime: store (embedded SQLite or PostgreSQL), the local provider, the secrets key and
 * admin credentials from the data folder, the reconcile loop, and the HTTP server. Used by `npm start`
 * (main.ts) and by the tests that need a real listening gateway.
 */
import { randomUUID } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { createLocalProvider } from '../../../providers/local/index.ts'
import { createApp } from '../../app.ts'
import type { Config } from '../../config.ts'
import type { GatewayDeps } from '../../deps.ts'
import { createGatewayFetch } from '../../gateway-fetch.ts'
import { consoleLogger, type Logger } from '../../logger.ts'
import { functionLabel } from '../../metrics/types.ts'
import { pruneAsyncRecords } from '../../queue/retention.ts'
import { createReconciler } from '../../reconcile/reconciler.ts'
import { staticRegistry } from '../../routing/registry.ts'
import { createRouteCache } from '../../routing/route-cache.ts'
import { createSecretCipher } from '../../store/cipher.ts'
import { buildInfo } from './build-info.ts'
import { clientAddress } from './client-address.ts'
import { type ResolvedCredentials, resolveAdminCredentials } from './credentials.ts'
import { startLoop } from './loop.ts'
import { createPromMetrics } from './metrics.ts'
import { openQueue } from './open-queue.ts'
import { openStore } from './open-store.ts'
import { ensurePrivateDir } from './private-files.ts'
import { resolveSecretsKey } from './secrets-key.ts'
import { startWorker } from './worker.ts'

const WORKER_STOP_DEADLINE_MS = 10_000

export interface RunningGateway {
  url: string
  /** The functions-only listener's URL (EDGEFAAS_FUNCTIONS_PORT); null when functions share `url`. */
  functionsUrl: string | null
  /** The Hono app, for in-process requests (`app.request`) that skip the socket. */
  app: Hono
  port: number
  deps: GatewayDeps
  credentials: ResolvedCredentials | null
  /** Stops the loop, the server and every function process; idempotent. */
  close(): Promise<void>
}

export interface StartOptions {
  /** false: no HTTP listener, only the background loops and the async worker (`edgefaas worker`). */
  listen?: boolean
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
  await store.createNamespace({ name: config.defaultNamespace, labels: { openfaas: '1' }, annotations: {} })

  const local = createLocalProvider({
    dataDir: config.dataDir,
    sandbox: config.localSandbox,
    logger,
    callTimeoutMs: config.upstreamTimeoutMs,
  })
  const providers = staticRegistry({ local })
  await store.upsertBackend({ name: 'local', kind: 'local', config: {} })

  const reconciler = createReconciler({ store, providers, cipher, logger, instanceId: randomUUID() })
  const metrics = createPromMetrics({ processMetrics: true })
  const queue = await openQueue(config.queueUrl, store)
  const { version, arch } = await buildInfo(config.buildSha)
  const deps: GatewayDeps = {
    config,
    store,
    providers,
    reconciler,
    cipher,
    credentials: credentials?.credentials ?? null,
    routes: createRouteCache(store, config.routeCacheTtlMs),
    metrics,
    clientAddress,
    queue,
    resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
    logger,
    version,
    arch,
  }
  const app = createApp(deps)
  const listen = options.listen !== false
  // Bound first, so the API's answer to /function/* can name the port actually chosen.
  const functionsServer =
    listen && config.functionsPort !== undefined
      ? await listening(
          serve({
            fetch: createGatewayFetch(app, deps, { listener: 'functions' }),
            port: config.functionsPort,
            hostname: config.host,
          }),
        )
      : null
  const functionsPort = functionsServer ? (functionsServer.address() as AddressInfo).port : 0
  const server = listen
    ? await listening(
        serve({
          fetch: createGatewayFetch(
            app,
            deps,
            functionsServer ? { functionsAt: `port ${functionsPort}` } : {},
          ),
          port: config.port,
          hostname: config.host,
        }),
      ).catch((error: unknown) => {
        functionsServer?.close()
        throw error
      })
    : null
  const port = server ? (server.address() as AddressInfo).port : 0
  const worker = config.worker ? startWorker(deps, queue, metrics) : null
  const loop = startLoop(
    'reconcile',
    async () => {
      await reconciler.reconcileOnce()
      await pruneAsyncRecords(store, config.callRetentionMs)
      const functions = await store.listFunctions()
      metrics.setServiceCounts(
        new Map(functions.map((f) => [functionLabel(f.name, f.namespace), f.replicas])),
      )
    },
    config.reconcileIntervalMs,
    logger,
  )

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
