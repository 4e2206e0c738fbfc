/**
 * @module
 * The one auth middleware. Default-deny: every path needs the admin credentials except an explicit
 * public allow-list, so a route added later is protected without anyone remembering to protect it (the
 * OpenFaaS gateway served /system/telemetry unauthenticated for 19 months because auth was a per-route list).
 */
import type { MiddlewareHandler } from 'hono'
import { textResponse } from '../errors.ts'
import { type AdminCredentials, credentialsMatch, parseBasicAuth } from './credentials.ts'

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
}

/** Must run after path normalisation and before routing. */
export function defaultDenyAuth(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (options.credentials === null || isPublicPath(c.req.path, c.req.method)) return next()
    const given = parseBasicAuth(c.req.header('authorization'))
    if (given && (await credentialsMatch(given, options.credentials))) return next()
    return textResponse(401, 'invalid credentials', { 'WWW-Authenticate': 'Basic realm="Restricted"' })
  }
}
