/**
 * @module
 * The Workers entry: the same app as on Node over D1, with the reconciler driven by the cron trigger.
 * Workers reach only remote backends, registered through `/system/backends` (kept in D1) and reached with
 * fetch; a function placed on `local` (the default until another backend is marked default) is stored
 * and its deployment stays pending with the reason recorded.
 *
 * Async calls go to Cloudflare Queues when the `CALLS` producer binding exists (src/queue/cloudflare),
 * consumed by `queue()`; without it, to the embedded queue over D1, drained by the cron tick. Routes are
 * cached per isolate and invalidated across isolates through the `routes` version row in D1. docs/workers.md
 * tells how to deploy it.
 */
import { drizzle } from 'drizzle-orm/d1'
import { LOCAL_BACKEND } from '../../backends/schema.ts'
import { loadConfig } from '../../config.ts'
import { createGateway, type Gateway, seedStore } from '../../gateway.ts'
import { consoleLogger } from '../../logger.ts'
import { consumeBatch } from '../../queue/cloudflare/consumer.ts'
import { createCloudflareQueue } from '../../queue/cloudflare/driver.ts'
import type { QueueProducer } from '../../queue/cloudflare/types.ts'
import { createEmbeddedQueue } from '../../queue/embedded/driver.ts'
import { createStoreRegistry } from '../../routing/registry.ts'
import { createVersionedRouteCache, withRouteVersion } from '../../routing/route-version.ts'
import { createSecretCipher } from '../../store/cipher.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import { RELEASE } from '../../version.ts'
import { loadWorkersConfig, type WorkersConfig } from './config.ts'
import { runCronTick } from './cron.ts'
import { createWorkersMetrics, type MetricsEnv, type WorkersMetrics } from './metrics.ts'
import { UI_VENDOR_FILES } from './ui-assets.ts'

export { MetricsAggregator } from './metrics.ts'

import { createFetchHttpClient } from './http-client.ts'

export interface Env {
  DB: D1Database
  /** The calls queue's producer (`[[queues.producers]]`); absent: the embedded queue over D1. */
  CALLS?: Queue
  /** The metrics aggregator (`[[durable_objects.bindings]]`); absent: `/metrics` answers 501. */
  METRICS?: MetricsEnv['METRICS']
  [variable: string]: unknown
}

/** A gateway of this isolate with the Workers-only settings it was built with. */
export interface WorkersGateway extends Gateway {
  workers: WorkersConfig
  metrics: WorkersMetrics | null
}

// One gateway per isolate, built on first use: bindings are only known once a request or event arrives.
let gateway: Promise<WorkersGateway> | undefined

export async function build(env: Env): Promise<WorkersGateway> {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  const config = loadConfig(vars)
  const workers = loadWorkersConfig(vars)
  if (config.basicAuth && !config.adminPassword) {
    throw new Error('EDGEFAAS_ADMIN_PASSWORD is not set: run `wrangler secret put EDGEFAAS_ADMIN_PASSWORD`')
  }
  // Every function write bumps the routes version row, which every isolate's route cache polls.
  const store = withRouteVersion(new SqliteStore(drizzle(env.DB)))
  await seedStore(store, config)
  const cipher = config.secretsKey ? await createSecretCipher(config.secretsKey) : null
  const logger = consoleLogger(config.logLevel)
  const providers = createStoreRegistry({
    store,
    // `local` stays a known name here (functions placed on it wait for a Node gateway on the same store).
    unreachable: [LOCAL_BACKEND],
    context: { http: createFetchHttpClient(), cipher, defaultNamespace: config.defaultNamespace },
    ttlMs: config.routeCacheTtlMs,
    logger,
  })
  await providers.refresh()
  const producer: QueueProducer | undefined = env.CALLS
  const metrics = env.METRICS ? createWorkersMetrics(env.METRICS) : null
  const built = createGateway({
    config,
    store,
    providers,
    queue: producer ? createCloudflareQueue({ producer, store }) : createEmbeddedQueue(store),
    wrapRoutes: (inner) =>
      createVersionedRouteCache({ store, inner, checkMs: workers.routeVersionCheckMs, logger }),
    cipher,
    credentials:
      config.basicAuth && config.adminPassword
        ? { user: config.adminUser ?? 'admin', password: config.adminPassword }
        : null,
    metrics,
    ...(metrics ? { queueMetrics: metrics } : {}),
    clientAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
    // Workers' cron trigger runs once a minute: the cron scheduler looks back one period and a bit.
    cronCatchUpMs: 75_000,
    // Workers have no DNS API; Cloudflare's egress refuses private addresses itself, so plain fetch
    // suffices for callbacks.
    resolveHost: null,
    sendCallback: async (url, headers, body) => (await fetch(url, { method: 'POST', headers, body })).status,
    logger,
    version: { sha: config.buildSha ?? 'unknown', release: RELEASE },
    arch: 'workerd',
    uiVendorFiles: UI_VENDOR_FILES,
  })
  return Object.assign(built, { workers, metrics })
}

function gatewayFor(env: Env): Promise<WorkersGateway> {
  gateway ??= build(env).catch((error: unknown) => {
    gateway = undefined // let the next request retry, e.g. after the secret is set
    throw error
  })
  return gateway
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    try {
      const gateway = await gatewayFor(env)
      const response = await gateway.fetch(request, env, ctx)
      if (gateway.metrics) ctx.waitUntil(gateway.metrics.flushIfDue())
      return response
    } catch (error) {
      console.error('edgefaas failed to start', error)
      const message = error instanceof Error ? error.message : 'unknown error'
      return new Response(`gateway misconfigured: ${message}\n`, {
        status: 503,
        headers: { 'content-type': 'text/plain' },
      })
    }
  },

  async scheduled(event: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const gateway = await gatewayFor(env)
    ctx.waitUntil(runCronTick(gateway, new Date(event.scheduledTime)))
  },

  async queue(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
    const gateway = await gatewayFor(env)
    const { worker, deps, workers } = gateway
    if (!worker) {
      // EDGEFAAS_WORKER=false: this Worker only enqueues; hand the batch back for later.
      for (const message of batch.messages) message.retry({ delaySeconds: 60 })
      return
    }
    await consumeBatch(batch, {
      store: deps.store,
      deadLetterQueue: workers.deadLetterQueue,
      holdMs: workers.queueHoldMs,
      drain: () => worker.drainOnce(),
      logger: deps.logger,
    })
    if (gateway.metrics) ctx.waitUntil(gateway.metrics.flushIfDue())
  },
} satisfies ExportedHandler<Env>
