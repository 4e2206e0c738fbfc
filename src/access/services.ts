/**
 * @module
 * The access-control parts a gateway shares between its API and its invocation path, built once by
 * createGateway: the token verifier (with its short cache), the invocation gate over the rate limiter the
 * configuration picks, and the audit webhook when one is configured.
 */
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { CallbackSender } from '../queue/callbacks.ts'
import type { AuditEntry, Store } from '../store/types.ts'
import { createAuditWebhook } from './audit-webhook.ts'
import { createInvocationGate, type InvocationGate } from './invocation-gate.ts'
import { createJwtVerifier } from './jwt.ts'
import { createMemoryLimiter, createStoreLimiter, type RateLimiter } from './rate-limit/limiter.ts'
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts'

export interface AccessServices {
  tokens: TokenVerifier
  gate: InvocationGate
  limiter: RateLimiter
  /** Gets each audit entry after it is stored (the webhook); undefined when none is configured. */
  publishAudit: ((entry: AuditEntry) => void) | undefined
}

export function createAccess(options: {
  store: Store
  config: Config
  logger: Logger
  sendCallback: CallbackSender
  userAgent: string
}): AccessServices {
  const { store, config, logger } = options
  const tokens = createTokenVerifier(store, { cacheMs: config.tokenCacheMs })
  const limiter = config.rateLimitState === 'store' ? createStoreLimiter(store) : createMemoryLimiter()
  return {
    tokens,
    limiter,
    gate: createInvocationGate({ tokens, jwt: createJwtVerifier(), limiter, logger }),
    publishAudit: config.auditWebhook
      ? createAuditWebhook({
          ...config.auditWebhook,
          send: options.sendCallback,
          logger,
          userAgent: options.userAgent,
        })
      : undefined,
  }
}
