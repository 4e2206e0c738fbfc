/**
 * @module
 * Which function a request's host belongs to: a pure lookup over a table built from the stored domains,
 * the same on every runtime. An exact host wins over any wildcard; among wildcards the longest suffix
 * wins (`*.eu.example.com` over `*.example.com`). `*.example.com` matches any name below example.com
 * (one label or more), never example.com itself. The path prefix is mapped as a FunctionIngress rewrite
 * is: `api.example.com` + prefix `/v1` sends `/v1/hello` to the function as `/hello`.
 */
import type { DomainRecord } from '../store/types.ts'

export type DomainRoute = Pick<
  DomainRecord,
  'host' | 'namespace' | 'functionName' | 'pathPrefix' | 'redirectHttps' | 'tls'
>

export interface DomainTable {
  readonly exact: ReadonlyMap<string, DomainRoute>
  /** By the suffix after `*.`. */
  readonly wildcard: ReadonlyMap<string, DomainRoute>
  readonly size: number
}

export function buildDomainTable(records: readonly DomainRoute[]): DomainTable {
  const exact = new Map<string, DomainRoute>()
  const wildcard = new Map<string, DomainRoute>()
  for (const r of records) {
    const route: DomainRoute = {
      host: r.host,
      namespace: r.namespace,
      functionName: r.functionName,
      pathPrefix: r.pathPrefix,
      redirectHttps: r.redirectHttps,
      tls: r.tls,
    }
    if (r.host.startsWith('*.')) wildcard.set(r.host.slice(2), route)
    else exact.set(r.host, route)
  }
  return { exact, wildcard, size: records.length }
}

export const EMPTY_DOMAIN_TABLE: DomainTable = buildDomainTable([])

/** The domain a normalised host belongs to, most specific first; null when none. */
export function findDomain(table: DomainTable, host: string): DomainRoute | null {
  // Longer is no DNS name; and the suffix walk below must stay short whatever a client sends.
  if (table.size === 0 || host.length > 253) return null
  const exact = table.exact.get(host)
  if (exact) return exact
  if (table.wildcard.size === 0) return null
  // Suffixes from the longest: a.b.example.com → b.example.com → example.com (a wildcard needs 2 labels).
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
    const suffix = host.slice(dot + 1)
    if (!suffix.includes('.')) break
    const route = table.wildcard.get(suffix)
    if (route) return route
  }
  return null
}

/** The path the function sees for `pathname` under the domain's prefix; null when outside the prefix. */
function functionPathFor(route: DomainRoute, pathname: string): string | null {
  const prefix = route.pathPrefix
  if (prefix === '/') return pathname
  if (!pathname.startsWith(prefix)) return null
  const rest = pathname.slice(prefix.length)
  if (rest === '') return '/'
  return rest.startsWith('/') ? rest : null
}

export type DomainMatch =
  | { kind: 'function'; route: DomainRoute; name: string; namespace: string; path: string }
  | { kind: 'outside-prefix'; route: DomainRoute }

/** The function and its path for a request to `host` + `pathname`, or null when no domain matches. */
export function resolveDomain(table: DomainTable, host: string, pathname: string): DomainMatch | null {
  const route = findDomain(table, host)
  if (!route) return null
  const path = functionPathFor(route, pathname)
  if (path === null) return { kind: 'outside-prefix', route }
  return { kind: 'function', route, name: route.functionName, namespace: route.namespace, path }
}

/**
 * The wildcard hosts that cover `host`, most specific first: `*.b.example.com` and `*.example.com` for
 * `a.b.example.com` or `*.a.b.example.com`... A wildcard does not cover itself.
 */
export function coveringWildcards(host: string): string[] {
  const name = host.startsWith('*.') ? host.slice(2) : host
  const out: string[] = []
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const suffix = name.slice(dot + 1)
    if (suffix.includes('.')) out.push(`*.${suffix}`)
  }
  return out
}
