/**
 * @module
 * Opens everything a gateway needs from the host, on any runtime with Node's APIs (Node itself, and Deno
 * through its Node compatibility): the data folder with the admin credentials and the secrets key, the
 * store (embedded SQLite or PostgreSQL), the queue from EDGEFAAS_QUEUE_URL, the local provider and the
 * registry of remote backends (over a node:http client, AWS SDK clients for `lambda` and `ecs` backends,
 * seeded from EDGEFAAS_BACKENDS_FILE), Prometheus
 * metrics, the callback transport and DNS. The runtime adds how it serves and hands the result
 * to `createGateway`.
 */
import { lookup } from 'node:dns/promises'
import { createLocalProvider } from '../../../providers/local/index.ts'
import type { Provider } from '../../../providers/types.ts'
import { type AwsProviderFactory, createAwsProviders } from '../../backends/aws-providers.ts'
import { LOCAL_BACKEND } from '../../backends/schema.ts'
import type { Config } from '../../config.ts'
import type { GatewayDrivers } from '../../gateway.ts'
import { seedStore } from '../../gateway.ts'
import type { Logger } from '../../logger.ts'
import { createStoreRegistry } from '../../routing/registry.ts'
import { createSecretCipher } from '../../store/cipher.ts'
import { seedBackendsFile } from './backends-file.ts'
import { buildInfo } from './build-info.ts'
import { createCallbackSender } from './callback-sender.ts'
import { type ResolvedCredentials, resolveAdminCredentials } from './credentials.ts'
import { createNodeHttpClient } from './http-client.ts'
import { instanceIdFor } from './instance-id.ts'
import { createPromMetrics, type NodeMetrics } from './metrics.ts'
import { createNativeQueuedInvoke } from './native-queued-invoke.ts'
import { openQueue } from './open-queue.ts'
import { openStore } from './open-store.ts'
import { openTriggerConnections, type TriggerConnections } from './open-triggers.ts'
import { ensurePrivateDir } from './private-files.ts'
import { resolveSecretsKey } from './secrets-key.ts'
import { readUiVendorFiles } from './ui-assets.ts'
import type { UpstreamClient } from './upstream.ts'

export interface HostDriverOptions {
  /** The caller's `ip:port`, from what the runtime's server hands the handler as `env`. */
  clientAddress: GatewayDrivers['clientAddress']
  /** Node.js binary that runs the local provider's watchdog; default this process's own. */
  nodePath?: string
  /** Adds the runtime's process series (CPU, memory, event loop) to /metrics. */
  processMetrics: boolean
  /** Where `${NAME}` in the backends file is looked up; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Extra built-in backends by name (tests); owned by the caller, not closed here. */
  providers?: Record<string, Provider>
  /** Builds `lambda` and `ecs` backends' providers; default real AWS SDK clients. */
  aws?: AwsProviderFactory
  /**
   * A gateway worker process (runtime/node/cluster/): `local` reaches the primary's local provider, and
   * no queue, trigger connection or backends-file seeding is opened (the primary runs those).
   */
  clusterWorker?: { local: Provider }
}

export interface HostDrivers {
  drivers: GatewayDrivers
  /** The same metrics as `drivers.metrics`, with the prom-client registry (cluster: summed at /metrics). */
  metrics: NodeMetrics
  credentials: ResolvedCredentials | null
  /** The one pooled upstream client: remote backends' HttpClient and the native invocation transport. */
  upstream: UpstreamClient
  /** Stops every function process, then the queue, then the store: call after the listeners and worker. */
  close(): Promise<void>
}

/** A worker process consumes no trigger source: the primary does. */
const NO_TRIGGERS: TriggerConnections = { sources: () => [], close: async () => {} }

export async function openHostDrivers(
  config: Config,
  logger: Logger,
  options: HostDriverOptions,
): Promise<HostDrivers> {
  ensurePrivateDir(config.dataDir)
  const credentials = config.basicAuth ? await resolveAdminCredentials(config) : null
  const cipher = await createSecretCipher(await resolveSecretsKey(config))
  const { store, close: closeStore } = await openStore(config.databaseUrl, config.dataDir)
  await seedStore(store, config)

  const worker = options.clusterWorker
  const local: Provider =
    worker?.local ??
    createLocalProvider({
      dataDir: config.dataDir,
      sandbox: config.localSandbox,
      logger,
      callTimeoutMs: config.upstreamTimeoutMs,
      ...(options.nodePath ? { nodePath: options.nodePath } : {}),
    })
  await store.upsertBackend({ name: LOCAL_BACKEND, kind: 'local', config: {} })
  // EDGEFAAS_WIRE (or EDGEFAAS_NATIVE_INVOKE) off: every upstream call goes through undici, as before.
  const http = createNodeHttpClient({ wire: config.nativeInvoke && config.wire })
  const providers = createStoreRegistry({
    store,
    builtins: { ...options.providers, [LOCAL_BACKEND]: local },
    context: {
      http,
      cipher,
      defaultNamespace: config.defaultNamespace,
      aws: options.aws ?? createAwsProviders(),
    },
    ttlMs: config.routeCacheTtlMs,
    logger,
  })
  try {
    if (config.backendsFile && !worker) {
      await seedBackendsFile(config.backendsFile, {
        store,
        cipher,
        env: options.env ?? process.env,
        defaultNamespace: config.defaultNamespace,
        logger,
      })
    }
    await providers.refresh()
  } catch (error) {
    await local.close()
    http.close()
    await closeStore()
    throw error
  }

  const metrics = createPromMetrics({ processMetrics: options.processMetrics })
  const queue = worker
    ? null
    : await openQueue(config.queueUrl, store, { natsReplicas: config.cluster.natsReplicas })
  const triggerConnections = await (worker
    ? Promise.resolve(NO_TRIGGERS)
    : openTriggerConnections(config)
  ).catch(async (error: unknown) => {
    await queue?.close()
    await providers.close()
    http.close()
    await local.close()
    await closeStore()
    throw error
  })
  const { version, arch } = await buildInfo(config.buildSha)
  const uiVendorFiles = await readUiVendorFiles(logger)
  return {
    drivers: {
      config,
      store,
      providers,
      cipher,
      credentials: credentials?.credentials ?? null,
      metrics,
      queueMetrics: metrics,
      triggerSources: triggerConnections.sources,
      triggerMetrics: metrics,
      clientAddress: options.clientAddress,
      queue,
      resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
      sendCallback: createCallbackSender(config.callbackPolicy),
      ...(config.nativeInvoke
        ? { queuedInvoke: (run, servedBy) => createNativeQueuedInvoke(run, http.upstream, servedBy) }
        : {}),
      logger,
      version,
      arch,
      instanceId: instanceIdFor(config.cluster.instanceId),
      ...(uiVendorFiles ? { uiVendorFiles } : {}),
    },
    credentials,
    metrics,
    upstream: http.upstream,
    async close() {
      await providers.close()
      http.close()
      await local.close()
      await triggerConnections.close()
      await queue?.close()
      await closeStore()
    },
  }
}
