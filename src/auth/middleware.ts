/**
 * @module
 * The one auth middleware. Default-deny: every path needs the admin credentials except an explicit
 * public allow-list, so a route added later is protected without anyone remembering to protect it (the
 * OpenFaaS gateway served /system/telemetry unauthenticated for 19 months because auth was a per-route list).
 *
 * Two kinds of credentials: the admin's basic auth (everything), and API tokens (`Authorization: Bearer
 * eft_…`, src/access/tokens.ts), which get what src/access/route-scopes.ts says the matched route needs,
 * in the namespaces the request names. Routes never check access themselves.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { setActor } from '../access/request-actor.ts'
import { BodyTooLargeError, namespacesOf } from '../access/request-namespaces.ts'
import { ruleFor } from '../access/route-scopes.ts'
import { actorOf, coversNamespaces, type Grant, hasScope } from '../access/scopes.ts'
import type { TokenVerifier } from '../access/token-verifier.ts'
import { bearerOf } from '../access/tokens.ts'
import { textResponse } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { type AdminCredentials, credentialsMatch, parseBasicAuth } from './credentials.ts'
import { createLoginThrottle, type LoginThrottle } from './login-throttle.ts'
import { sessionAuthorization } from './session-cookie.ts'

/**
 * Requests anyone may make: invocations, liveness and readiness (load balancers carry no credentials;
 * `/readyz` says only which part fails), the redirect to the UI. Cancelling an async call
 * (`DELETE /async-function/<call-id>`) is an admin action, so only POST is public there.
 */
export function isPublicPath(path: string, method = 'GET'): boolean {
  if (path === '/async-function' || path.startsWith('/async-function/')) return method !== 'DELETE'
  // The dashboard's token login form (src/ui/pages/login.ts): it checks the token itself.
  if (path === '/ui/login') return method === 'GET' || method === 'POST'
  return (
    path === '/' ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/function' ||
    path.startsWith('/function/')
  )
}

export interface AuthOptions {
  /** null: authentication is switched off (EDGEFAAS_BASIC_AUTH=false). */
  credentials: AdminCredentials | null
  /** The caller's address from the runtime (`ip:port` or `ip`); failed logins are counted per address. */
  clientAddress?: (request: Request, env: unknown) => string | undefined
  logger?: Logger
  /** Replaces the default (10 failures a minute, then a lockout from one minute doubling to 15). */
  throttle?: LoginThrottle
  /** API tokens; without it only the admin's basic auth is accepted. */
  tokens?: TokenVerifier
  /** The default namespace and the body limit, for finding the namespaces a token request names. */
  config?: { defaultNamespace: string; maxApiBodyBytes: number }
}

/** Must run after path normalisation and before routing. */
export function defaultDenyAuth(options: AuthOptions): MiddlewareHandler {
  const throttle = options.throttle ?? createLoginThrottle()
  return async (c, next) => {
    if (options.credentials === null || isPublicPath(c.req.path, c.req.method)) return next()
    // A browser signed in with a token (/ui/login) carries it in the session cookie instead.
    const header = c.req.header('authorization') || (options.tokens ? sessionAuthorization(c) : undefined)
    const given = parseBasicAuth(header)
    const bearer = options.tokens ? bearerOf(header) : null
    // No credentials at all (a browser's first request, faas-cli's empty bearer token) is no guess.
    if (!given && bearer === null) return unauthorized(c.req.path)
    const client = options.clientAddress?.(c.req.raw, c.env) ?? 'unknown'
    const before = throttle.check(client)
    // While locked out even the right password is refused, or the lockout would not slow guessing.
    if (before.locked) return tooManyFailures(before.retryAfterSeconds)
    // Counted as a failure before the (asynchronous) compare and forgiven on success: otherwise a burst
    // of concurrent guesses would all pass the check above before the first failure was recorded.
    const after = throttle.failure(client)
    const grant: Grant | null = given
      ? (await credentialsMatch(given, options.credentials))
        ? { kind: 'admin' }
        : null
      : ((await options.tokens?.verify(bearer ?? '')) ?? null)
    if (grant) {
      throttle.success(client)
      setActor(c.req.raw, actorOf(grant))
      const refusal = grant.kind === 'admin' ? null : await tokenRefusal(c, grant, options)
      return refusal ?? next()
    }
    // The address and the path only: never the password, nor the user name (often a mistyped password).
    options.logger?.warn(after.locked ? 'failed login; client locked out' : 'failed login', {
      client,
      method: c.req.method,
      path: c.req.path,
      ...(after.locked ? { retryAfterSeconds: after.retryAfterSeconds } : {}),
    })
    return unauthorized(c.req.path)
  }
}

/** Null when the token's scopes and namespaces cover the matched route; the 403 (or 413) otherwise. */
async function tokenRefusal(c: Context, grant: Grant, options: AuthOptions): Promise<Response | null> {
  const route = matchedRoutes(c).find((r) => r.path !== '*' && r.path !== '/*')
  const rule = ruleFor(route?.method ?? '', route?.path)
  if (!hasScope(grant, rule.scope)) {
    return textResponse(403, `forbidden: this token lacks the "${rule.scope}" scope this request needs`)
  }
  if (grant.kind === 'admin' || grant.namespaces === '*') return null
  let where: Awaited<ReturnType<typeof namespacesOf>>
  try {
    where = await namespacesOf(
      c.req.raw,
      rule.where,
      route?.path ?? '',
      options.config?.defaultNamespace ?? 'openfaas-fn',
      options.config?.maxApiBodyBytes ?? 2 * 1024 * 1024,
    )
  } catch (error) {
    if (error instanceof BodyTooLargeError) return textResponse(413, 'request body too large')
    throw error
  }
  if (coversNamespaces(grant, where)) return null
  const named =
    where.kind === 'namespaces'
      ? `namespace ${where.names.map((n) => `"${n}"`).join(', ')}`
      : 'every namespace'
  return textResponse(403, `forbidden: this token is not valid for ${named}, which this request acts in`)
}

function unauthorized(path: string): Response {
  // A person at the dashboard who cancels the browser's password prompt sees this: say where tokens sign in.
  const message = path.startsWith('/ui/')
    ? 'invalid credentials: sign in with the admin user name and password, or with an API token at /ui/login'
    : 'invalid credentials'
  return textResponse(401, message, { 'WWW-Authenticate': 'Basic realm="Restricted"' })
}

function tooManyFailures(retryAfterSeconds: number): Response {
  return textResponse(429, `too many failed logins from this address; try again in ${retryAfterSeconds} s`, {
    'Retry-After': String(retryAfterSeconds),
  })
}
