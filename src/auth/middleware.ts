/**
 * @module
 * The one auth middleware. Default-deny: every path needs the admin credentials except an explicit
 * public allow-list, so a route added later is protected without anyone remembering to protect it (the
 * OpenFaaS gateway served /system/telemetry unauthenticated for 19 months because auth was a per-route list).
 */
import type { MiddlewareHandler } from 'hono'
import { textResponse } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { type AdminCredentials, credentialsMatch, parseBasicAuth } from './credentials.ts'
import { createLoginThrottle, type LoginThrottle } from './login-throttle.ts'

/**
 * Requests anyone may make: invocations, health, the redirect to the UI. Cancelling an async call
 * (`DELETE /async-function/<call-id>`) is an admin action, so only POST is public there.
 */
export function isPublicPath(path: string, method = 'GET'): boolean {
  if (path === '/async-function' || path.startsWith('/async-function/')) return method !== 'DELETE'
  return path === '/' || path === '/healthz' || path === '/function' || path.startsWith('/function/')
}

export interface AuthOptions {
  /** null: authentication is switched off (EDGEFAAS_BASIC_AUTH=false). */
  credentials: AdminCredentials | null
  /** The caller's address from the runtime (`ip:port` or `ip`); failed logins are counted per address. */
  clientAddress?: (request: Request, env: unknown) => string | undefined
  logger?: Logger
  /** Replaces the default (10 failures a minute, then a lockout from one minute doubling to 15). */
  throttle?: LoginThrottle
}

/** Must run after path normalisation and before routing. */
export function defaultDenyAuth(options: AuthOptions): MiddlewareHandler {
  const throttle = options.throttle ?? createLoginThrottle()
  return async (c, next) => {
    if (options.credentials === null || isPublicPath(c.req.path, c.req.method)) return next()
    const header = c.req.header('authorization')
    const given = parseBasicAuth(header)
    // No credentials at all (a browser's first request, faas-cli's empty bearer token) is no guess.
    if (!given) return unauthorized()
    const client = options.clientAddress?.(c.req.raw, c.env) ?? 'unknown'
    const before = throttle.check(client)
    // While locked out even the right password is refused, or the lockout would not slow guessing.
    if (before.locked) return tooManyFailures(before.retryAfterSeconds)
    // Counted as a failure before the (asynchronous) compare and forgiven on success: otherwise a burst
    // of concurrent guesses would all pass the check above before the first failure was recorded.
    const after = throttle.failure(client)
    if (await credentialsMatch(given, options.credentials)) {
      throttle.success(client)
      return next()
    }
    // The address and the path only: never the password, nor the user name (often a mistyped password).
    options.logger?.warn(after.locked ? 'failed login; client locked out' : 'failed login', {
      client,
      method: c.req.method,
      path: c.req.path,
      ...(after.locked ? { retryAfterSeconds: after.retryAfterSeconds } : {}),
    })
    return unauthorized()
  }
}

function unauthorized(): Response {
  return textResponse(401, 'invalid credentials', { 'WWW-Authenticate': 'Basic realm="Restricted"' })
}

function tooManyFailures(retryAfterSeconds: number): Response {
  return textResponse(429, `too many failed logins from this address; try again in ${retryAfterSeconds} s`, {
    'Retry-After': String(retryAfterSeconds),
  })
}
