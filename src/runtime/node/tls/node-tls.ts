/**
 * @module
 * TLS for custom domains on Node: the certificate check behind uploads, the ACME job on its own loop
 * (kicked when a domain is written), and the HTTPS listener (EDGEFAAS_TLS_PORT) that picks each
 * connection's certificate by SNI, rereading the store's certificates every `refreshMs`.
 */
import { createServer } from 'node:https'
import { type ServerType, serve } from '@hono/node-server'
import type { Config } from '../../../config.ts'
import type { DomainCache } from '../../../domains/domain-cache.ts'
import type { TlsDriver } from '../../../domains/tls-driver.ts'
import type { GatewayFetch } from '../../../gateway-fetch.ts'
import type { Logger } from '../../../logger.ts'
import type { SecretCipher } from '../../../store/cipher.ts'
import type { Store } from '../../../store/types.ts'
import { createAcmeJob } from '../acme/job.ts'
import { createAcmeOrderer } from '../acme/order.ts'
import { type Loop, startLoop } from '../loop.ts'
import { inspectCertificate } from './inspect.ts'
import { createSniContexts } from './sni.ts'

const MIN_DUE_WAIT_MS = 1000
/** How often a gateway looks for certificates another gateway stored, at most. */
const MAX_REFRESH_MS = 5_000

export interface NodeTls {
  driver: TlsDriver
  /** Starts the ACME loop (if configured) and the HTTPS listener (if EDGEFAAS_TLS_PORT is set). */
  start(
    fetch: GatewayFetch,
    domains: DomainCache,
    options: { listen: boolean },
  ): Promise<{ port: number | null }>
  close(): Promise<void>
}

export function createNodeTls(options: {
  config: Config
  store: Store
  cipher: SecretCipher
  logger: Logger
}): NodeTls {
  const { config, store, cipher, logger } = options
  let acmeLoop: Loop | null = null
  let kickPending = false
  const job = config.acme
    ? createAcmeJob({
        store,
        cipher,
        order: createAcmeOrderer({ config: config.acme, store, cipher }),
        holder: crypto.randomUUID(),
        logger,
      })
    : null
  let server: ServerType | null = null
  let boundPort: number | null = null
  let refreshTimer: ReturnType<typeof setInterval> | undefined
  let dueTimer: ReturnType<typeof setTimeout> | undefined
  const refreshMs = Math.max(250, Math.min(MAX_REFRESH_MS, config.routeCacheTtlMs))

  return {
    driver: {
      inspect: (chainPem, keyPem, host) => inspectCertificate(chainPem, keyPem, host),
      httpsPort: () => boundPort,
      acme: job
        ? {
            kick() {
              if (acmeLoop) acmeLoop.kick()
              else kickPending = true
            },
          }
        : null,
    },

    async start(fetch, domains, { listen }) {
      if (job) {
        // Its own loop, not the reconcile tick: an order waits on the CA for seconds. A renewal or retry
        // due before the next pass (short-lived certificates) gets a pass of its own at that time.
        const pass = async () => {
          await job.runOnce()
          clearTimeout(dueTimer)
          const due = job.nextDueAt()
          const wait = due === null ? null : due.getTime() - Date.now()
          if (wait !== null && wait < config.reconcileIntervalMs) {
            // At least a second apart: an order due now but leased by another gateway is not polled hot.
            dueTimer = setTimeout(() => acmeLoop?.kick(), Math.max(MIN_DUE_WAIT_MS, wait + 50))
            dueTimer.unref()
          }
        }
        acmeLoop = startLoop('certificates', pass, config.reconcileIntervalMs, logger)
        if (kickPending) acmeLoop.kick()
      }
      if (config.tlsPort === undefined || !listen) return { port: null }
      const sni = createSniContexts({ store, cipher, domains, logger })
      await sni.refresh()
      refreshTimer = setInterval(() => {
        sni.refresh().catch((error: unknown) => logger.warn('refreshing TLS certificates failed', { error }))
      }, refreshMs)
      refreshTimer.unref()
      const https = serve({
        fetch,
        port: config.tlsPort,
        hostname: config.host,
        createServer,
        serverOptions: { SNICallback: sni.SNICallback, minVersion: 'TLSv1.2' },
      })
      await new Promise<void>((resolve, reject) => {
        https.once('listening', resolve)
        https.once('error', reject)
      })
      server = https
      const address = https.address()
      boundPort = typeof address === 'object' && address ? address.port : null
      return { port: boundPort }
    },

    async close() {
      clearInterval(refreshTimer)
      await acmeLoop?.stop()
      clearTimeout(dueTimer)
      const s = server
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
}
