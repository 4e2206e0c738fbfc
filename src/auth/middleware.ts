/**
 * @module
 * The one auth middleware. Default-deny: every path needs the admin credentials except an explicit
 * public allow-list, so a route added later is protected without anyone remembering to protect it (the
 * OpenFaaS gateway served /system/telemetry unauthenticated for 19 months because auth was a per-route list).
 */
import type { MiddlewareHandler } from 'hono'
import { textResponse } from '../errors.ts'
import { type AdminCredentials, credentialsMatch, parseBasicAuth } from './credentials.ts'

/** Paths anyone may call: invocations, health, the redirect to the UI. */
export function isPublicPath(path: string): boolean {
  return (
    path === '/' ||
    path === '/healthz' ||
    path === '/function' ||
    path.startsWith('/function/') ||
    path === '/async-function' ||
    path.startsWith('/async-function/')
  )
}

export interface AuthOptions {
  /** null: authentication is switched off (EDGEFAAS_BASIC_AUTH=false). */
  credentials: AdminCredentials | null
}

/** Must run after path normalisation and before routing. */
export function defaultDenyAuth(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (options.credentials === null || isPublicPath(c.req.path)) return next()
    const given = parseBasicAuth(c.req.header('authorization'))
    if (given && (await credentialsMatch(given, options.credentials))) return next()
    return textResponse(401, 'invalid credentials', { 'WWW-Authenticate': 'Basic realm="Restricted"' })
  }
}
