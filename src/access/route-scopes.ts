/**
 * @module
 * The one table of what each protected route needs: a scope, and where the namespaces it acts in are
 * found. Keyed by the method and path exactly as the routes are registered in src/api/ (Hono's
 * `app.routes`), so test/auth/route-scopes.test.ts can enumerate the router and prove every protected
 * route has an entry. A protected request whose route has no entry (an unknown path, a route someone
 * added without a line here) needs `admin` on every namespace: default-deny.
 *
 * Where namespaces come from (`where`):
 * - `request`: every namespace the request names — `?namespace=` (all values), a top-level `namespace`
 *   in a JSON body, a `name.ns` path parameter, `/system/namespace/:ns` — or the default namespace when
 *   it names none. A superset of what any handler reads, so a handler cannot act in a namespace the check
 *   did not see.
 * - `filter`: `?namespace=` when given (all values); without it the handler lists every namespace, so a
 *   token then needs them all.
 * - `cluster`: the route acts across namespaces (backends, tokens, the audit log, call ids whose
 *   namespace is only known after lookup): the token needs every namespace (`"*"`).
 * - `none`: nothing namespaced (the gateway's version, a 405 answer).
 */
import { dashboardRouteRules } from '../ui/route-rules.ts'
import type { Scope } from './scopes.ts'

export type NamespaceSource = 'request' | 'filter' | 'cluster' | 'none'

export interface RouteRule {
  scope: Scope
  where: NamespaceSource
}

const rule = (scope: Scope, where: NamespaceSource): RouteRule => ({ scope, where })
/** A path that exists but not with this method: the 405 answer tells nothing, any valid token sees it. */
const METHOD_NOT_ALLOWED = rule('read', 'none')

export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  'GET /system/functions': rule('read', 'request'),
  'POST /system/functions': rule('deploy', 'request'),
  'PUT /system/functions': rule('deploy', 'request'),
  'DELETE /system/functions': rule('deploy', 'request'),
  'ALL /system/functions': METHOD_NOT_ALLOWED,
  'GET /system/function/:name': rule('read', 'request'),
  'ALL /system/function/:name': METHOD_NOT_ALLOWED,
  'POST /system/scale-function/:name': rule('deploy', 'request'),
  'ALL /system/scale-function/:name': METHOD_NOT_ALLOWED,
  'GET /system/functions/:name/scaling': rule('read', 'request'),
  'ALL /system/functions/:name/scaling': METHOD_NOT_ALLOWED,
  // AlertManager's body names functions in any namespace: a token needs them all.
  'POST /system/alert': rule('deploy', 'cluster'),
  'ALL /system/alert': METHOD_NOT_ALLOWED,
  'GET /system/deployments': rule('read', 'request'),
  'ALL /system/deployments': METHOD_NOT_ALLOWED,
  'GET /system/logs': rule('read', 'request'),
  'ALL /system/logs': METHOD_NOT_ALLOWED,

  'GET /system/secrets': rule('secrets', 'request'),
  'POST /system/secrets': rule('secrets', 'request'),
  'PUT /system/secrets': rule('secrets', 'request'),
  'DELETE /system/secrets': rule('secrets', 'request'),
  'ALL /system/secrets': METHOD_NOT_ALLOWED,

  'GET /system/namespaces': rule('read', 'cluster'),
  'ALL /system/namespaces': METHOD_NOT_ALLOWED,
  'GET /system/namespace/:ns': rule('read', 'request'),
  'POST /system/namespace/': rule('admin', 'cluster'),
  'POST /system/namespace/:ns': rule('admin', 'cluster'),
  'PUT /system/namespace/:ns': rule('admin', 'cluster'),
  'PUT /system/namespaces/:ns': rule('admin', 'cluster'),
  'DELETE /system/namespace/:ns': rule('admin', 'cluster'),
  'DELETE /system/namespaces/:ns': rule('admin', 'cluster'),
  'ALL /system/namespace/': METHOD_NOT_ALLOWED,
  'ALL /system/namespace/:ns': METHOD_NOT_ALLOWED,
  'ALL /system/namespaces/:ns': METHOD_NOT_ALLOWED,

  'GET /system/calls': rule('read', 'filter'),
  'ALL /system/calls': METHOD_NOT_ALLOWED,
  'GET /system/calls/:id': rule('read', 'cluster'),
  'ALL /system/calls/:id': METHOD_NOT_ALLOWED,
  'GET /system/dead-letters': rule('read', 'filter'),
  'ALL /system/dead-letters': METHOD_NOT_ALLOWED,
  'GET /system/dead-letters/:id': rule('read', 'cluster'),
  'DELETE /system/dead-letters/:id': rule('deploy', 'cluster'),
  'ALL /system/dead-letters/:id': METHOD_NOT_ALLOWED,
  'POST /system/dead-letters/:id/replay': rule('invoke', 'cluster'),
  'ALL /system/dead-letters/:id/replay': METHOD_NOT_ALLOWED,
  'DELETE /async-function/:id': rule('admin', 'cluster'),

  'GET /system/triggers': rule('read', 'cluster'),
  'ALL /system/triggers': METHOD_NOT_ALLOWED,

  'GET /system/info': rule('read', 'none'),
  'ALL /system/info': METHOD_NOT_ALLOWED,
  'GET /metrics': rule('read', 'cluster'),
  'ALL /metrics': METHOD_NOT_ALLOWED,
  // The dashboard: each page declares its routes' scopes (src/ui/pages/registry.ts).
  ...dashboardRouteRules(),

  'GET /system/backends': rule('read', 'cluster'),
  'POST /system/backends': rule('admin', 'cluster'),
  'ALL /system/backends': METHOD_NOT_ALLOWED,
  'GET /system/backends/:name': rule('read', 'cluster'),
  'PUT /system/backends/:name': rule('admin', 'cluster'),
  'DELETE /system/backends/:name': rule('admin', 'cluster'),
  'ALL /system/backends/:name': METHOD_NOT_ALLOWED,

  'GET /system/tokens': rule('admin', 'cluster'),
  'POST /system/tokens': rule('admin', 'cluster'),
  'ALL /system/tokens': METHOD_NOT_ALLOWED,
  'GET /system/tokens/:id': rule('admin', 'cluster'),
  'DELETE /system/tokens/:id': rule('admin', 'cluster'),
  'ALL /system/tokens/:id': METHOD_NOT_ALLOWED,
  'GET /system/audit': rule('admin', 'cluster'),
  'ALL /system/audit': METHOD_NOT_ALLOWED,
  // Custom domains: hosts of every namespace are listed, and a domain or certificate changes what a host
  // serves for all (wildcards span namespaces), so writes are the admin's. A deploy token still claims
  // hosts for its own functions through the edgefaas.dev/domains annotation, with the same ownership checks.
  'GET /system/domains': rule('read', 'cluster'),
  'POST /system/domains': rule('admin', 'cluster'),
  'ALL /system/domains': METHOD_NOT_ALLOWED,
  'GET /system/domains/:host': rule('read', 'cluster'),
  'PUT /system/domains/:host': rule('admin', 'cluster'),
  'DELETE /system/domains/:host': rule('admin', 'cluster'),
  'ALL /system/domains/:host': METHOD_NOT_ALLOWED,
  'PUT /system/domains/:host/certificate': rule('admin', 'cluster'),
  'DELETE /system/domains/:host/certificate': rule('admin', 'cluster'),
  'ALL /system/domains/:host/certificate': METHOD_NOT_ALLOWED,
}

/** What an unlisted route needs. */
export const UNLISTED_RULE: RouteRule = rule('admin', 'cluster')

export function ruleFor(method: string, routePath: string | undefined): RouteRule {
  if (routePath === undefined) return UNLISTED_RULE
  return ROUTE_RULES[`${method} ${routePath}`] ?? UNLISTED_RULE
}
