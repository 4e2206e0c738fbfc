/**
 * @module
 * The Workers entry: the same app as on Node over D1, with the reconciler driven by the cron trigger.
 * Workers reach only remote backends, registered through `/system/backends` (kept in D1) and reached with
 * fetch; a function placed on `local` (the default until another backend is marked default) is stored
 * and its deployment stays pending with the reason recorded.
 */
import { drizzle } from 'drizzle-orm/d1'
import { LOCAL_BACKEND } from '../../backends/schema.ts'
import { loadConfig } from '../../config.ts'
import { createGateway, type Gateway, seedStore } from '../../gateway.ts'
import { consoleLogger } from '../../logger.ts'
import { createEmbeddedQueue } from '../../queue/embedded/driver.ts'
import { createStoreRegistry } from '../../routing/registry.ts'
import { createSecretCipher } from '../../store/cipher.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import { RELEASE } from '../../version.ts'
import { createFetchHttpClient } from './http-client.ts'

export interface Env {
  DB: D1Database
  [variable: string]: unknown
}

// One gateway per isolate, built on first use: bindings are only known once a request or event arrives.
let gateway: Promise<Gateway> | undefined

async function build(env: Env): Promise<Gateway> {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  const config = loadConfig(vars)
  if (config.basicAuth && !config.adminPassword) {
    throw new Error('EDGEFAAS_ADMIN_PASSWORD is not set: run `wrangler secret put EDGEFAAS_ADMIN_PASSWORD`')
  }
  const store = new SqliteStore(drizzle(env.DB))
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
  return createGateway({
    config,
    store,
    providers,
    // The embedded queue works over D1 as well; the cron tick drains it (Cloudflare Queues are a later driver).
    queue: createEmbeddedQueue(store),
    cipher,
    credentials:
      config.basicAuth && config.adminPassword
        ? { user: config.adminUser ?? 'admin', password: config.adminPassword }
        : null,
    metrics: null,
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
  })
}

function gatewayFor(env: Env): Promise<Gateway> {
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
      return await gateway.fetch(request, env, ctx)
    } catch (error) {
      console.error('edgefaas failed to start', error)
      const message = error instanceof Error ? error.message : 'unknown error'
      return new Response(`gateway misconfigured: ${message}\n`, {
        status: 503,
        headers: { 'content-type': 'text/plain' },
      })
    }
  },

  async scheduled(_event: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const { worker, tick, triggers } = await gatewayFor(env)
    // Cron triggers first, so the calls they enqueue are drained in the same run.
    const fired = triggers ? triggers.sync().then(() => triggers.runDue()) : Promise.resolve()
    ctx.waitUntil(Promise.all([tick(), fired.then(() => worker?.drainOnce())]))
  },
} satisfies ExportedHandler<Env>
