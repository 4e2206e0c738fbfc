/**
 * @module
 * Everything the app needs, injected by the runtime (Node, Workers, Deno), so the core imports no runtime.
 */
import type { AccessServices } from './access/services.ts'
import type { AdminCredentials } from './auth/credentials.ts'
import type { Config } from './config.ts'
import type { VersionInfo } from './contract/types.ts'
import type { DomainCache } from './domains/domain-cache.ts'
import type { TlsDriver } from './domains/tls-driver.ts'
import type { Readiness } from './health/readiness.ts'
import type { ScaleFromZero } from './invoke/scale-from-zero.ts'
import type { Logger } from './logger.ts'
import type { GatewayMetrics } from './metrics/types.ts'
import type { QueueDriver } from './queue/types.ts'
import type { Reconciler } from './reconcile/reconciler.ts'
import type { ProviderRegistry } from './routing/registry.ts'
import type { RouteCache } from './routing/route-cache.ts'
import type { BackendRouter } from './routing/router.ts'
import type { SecretCipher } from './store/cipher.ts'
import type { Store } from './store/types.ts'
import type { Triggers } from './triggers/triggers.ts'
import type { UiServices } from './ui/services.ts'

export interface GatewayDeps {
  config: Config
  store: Store
  providers: ProviderRegistry
  reconciler: Reconciler
  /** null when no secrets key is configured (Workers without EDGEFAAS_SECRETS_KEY): secret routes answer 503. */
  cipher: SecretCipher | null
  /** null when authentication is switched off. */
  credentials: AdminCredentials | null
  /** Function lookups for the invocation path; invalidated by every write through this gateway. */
  routes: RouteCache
  /** Custom domains by host, for routing requests by Host; invalidated by every domain write here. */
  domains: DomainCache
  /** Certificate checks and ACME ordering, where the runtime terminates TLS itself (Node); else absent. */
  tls?: TlsDriver
  /** The backend choice of every call: health, load and retry budget, per gateway. */
  router: BackendRouter
  /** null where the runtime wires no metrics registry: `/metrics` answers 501. */
  metrics: GatewayMetrics | null
  /** The caller's `ip:port` for X-Forwarded-For, from the runtime's connection info. */
  clientAddress: (request: Request, env: unknown) => string | undefined
  /** The async queue; null where none is configured (`/async-function` answers 501). */
  queue: QueueDriver | null
  /** Event triggers (src/triggers/); null without a queue or with EDGEFAAS_TRIGGERS=false. */
  triggers: Triggers | null
  /** Resolves a host name to its addresses for the callback check; null where the runtime cannot. */
  resolveHost: ((host: string) => Promise<string[]>) | null
  logger: Logger
  version: VersionInfo
  /** Architecture reported by /system/info, Docker style (`amd64`, `arm64`). */
  arch: string
  /** API tokens, the invocation gate (invoke auth, rate limits), the audit webhook; built by createGateway. */
  access: AccessServices
  /** `/readyz`: store and queue reachability and draining; built by createGateway. */
  readiness: Readiness
  /**
   * Scale from zero shared beyond this gateway object (Node's worker processes ask the primary's, so a
   * burst spread over processes scales up once); absent: the invoker builds its own.
   */
  scaleFromZero?: ScaleFromZero
  /** The dashboard's static files and per-function time series (src/ui/), built by createGateway. */
  ui: UiServices
}
