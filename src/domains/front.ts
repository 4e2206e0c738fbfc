/**
 * @module
 * What a gateway does with a request before its usual routing, for custom domains:
 *
 * 1. `GET /.well-known/acme-challenge/<token>` is answered when the token is one this store's ACME
 *    orders created for this very host (any gateway can answer, so the CA may reach any of them).
 *    Answered before anything else, so a domain's HTTPS redirect or path prefix never hides it.
 * 2. A request whose host is a mapped domain becomes an ordinary invocation of its function through the
 *    one invocation path (metrics, failover, scale from zero), with the path mapped under the domain's
 *    prefix; outside the prefix it is a 404, so the gateway's own routes (`/system/*`, `/ui`) are never
 *    reachable on a function's domain. With `redirectHttps`, plain HTTP gets a 308 to HTTPS first.
 *
 * Anything else (null) goes on to the gateway's usual routing, unchanged.
 */
import type { GatewayDeps } from '../deps.ts'
import { textResponse, toApiError } from '../errors.ts'
import type { Invoke } from '../invoke/proxy.ts'
import { checkPath } from '../routing/clean-path.ts'
import { normaliseRequestHost, portOfHostHeader } from './host.ts'
import { type DomainTable, findDomain, resolveDomain } from './resolve.ts'

const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/'
/** RFC 8555 §8.3: a token is base64url; 256 characters is far more than any CA sends. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/

export type DomainFront = (
  request: Request,
  env: unknown,
  url: { pathname: string; search: string },
) => Promise<Response | null> | null

export function createDomainFront(deps: GatewayDeps, invoke: Invoke): DomainFront {
  const { domains, store, logger } = deps
  const { functionsHost } = deps.config

  const answerChallenge = async (host: string | null, token: string): Promise<Response | null> => {
    if (!TOKEN.test(token) || host === null) return null
    const challenge = await store.getAcmeChallenge(token, new Date()).catch((error: unknown) => {
      // The CA will retry or fail the order; the request itself takes the usual route.
      logger.error('reading an ACME challenge failed', { host, error })
      return null
    })
    if (!challenge || challenge.host !== host) return null
    return new Response(challenge.keyAuthorization, {
      headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' },
    })
  }

  const route = (
    table: DomainTable,
    request: Request,
    env: unknown,
    url: { pathname: string; search: string },
    host: string,
  ): Promise<Response> | null => {
    const match = resolveDomain(table, host, url.pathname)
    if (!match) return null
    if (match.route.redirectHttps && request.url.startsWith('http:')) {
      // The Host named a port: the caller reached this gateway directly, so its HTTPS port is the one.
      // Without one the caller came through port 80, and HTTPS is on 443 in front of us.
      const tlsPort = deps.tls?.httpsPort() ?? null
      const port =
        portOfHostHeader(request.headers.get('host')) !== null && tlsPort !== null && tlsPort !== 443
          ? `:${tlsPort}`
          : ''
      return Promise.resolve(
        new Response(null, {
          status: 308,
          headers: { location: `https://${host}${port}${url.pathname}${url.search}` },
        }),
      )
    }
    const verdict = checkPath(url.pathname)
    if (verdict.kind === 'reject') return Promise.resolve(textResponse(400, verdict.reason))
    if (verdict.kind === 'redirect') {
      return Promise.resolve(
        new Response(null, { status: 301, headers: { location: `${verdict.location}${url.search}` } }),
      )
    }
    if (match.kind === 'outside-prefix') {
      return Promise.resolve(
        textResponse(404, `nothing is served here: ${host} serves paths under ${match.route.pathPrefix}`),
      )
    }
    const target = {
      pathname: `/function/${match.name}.${match.namespace}${match.path}`,
      search: url.search,
    }
    return invoke(request, deps.clientAddress(request, env), target).catch((error: unknown) => {
      // The proxy answers every backend failure itself; what reaches here is the store failing.
      const apiError = toApiError(error)
      logger.error('invocation through a custom domain failed', { host, error: apiError.cause ?? apiError })
      return textResponse(apiError.status, apiError.message)
    })
  }

  return (request, env, url) => {
    const isChallenge = url.pathname.startsWith(ACME_CHALLENGE_PREFIX)
    if (isChallenge && (request.method === 'GET' || request.method === 'HEAD')) {
      const host = requestHost(request)
      return answerChallenge(host, url.pathname.slice(ACME_CHALLENGE_PREFIX.length)).then(
        (answer) => answer ?? routeWith(request, env, url),
      )
    }
    return routeWith(request, env, url)
  }

  function routeWith(
    request: Request,
    env: unknown,
    url: { pathname: string; search: string },
  ): Promise<Response | null> | null {
    const table = domains.table()
    if (!(table instanceof Promise) && table.size === 0) return null
    const host = requestHost(request)
    // EDGEFAAS_FUNCTIONS_HOST is the gateway's own functions origin: no wildcard domain takes it over.
    if (host === null || host === functionsHost) return null
    if (table instanceof Promise) return table.then((t) => route(t, request, env, url, host))
    return route(table, request, env, url, host)
  }
}

/**
 * Whether a request with this Host header may belong to a custom domain, so a runtime's own invocation
 * transport (Node's native one, which takes `/function/*` before the fetch handler) must leave it to the
 * fetch handler and its domain front. True while the table is still loading: unknown is not "no".
 */
export function mayBeCustomDomain(
  domains: GatewayDeps['domains'],
  functionsHost: string | undefined,
  hostHeader: string | null | undefined,
): boolean {
  const table = domains.table()
  if (table instanceof Promise) return true
  if (table.size === 0) return false
  const host = normaliseRequestHost(hostHeader ?? null)
  if (host === null || !DNS_NAME.test(host) || host === functionsHost) return false
  return findDomain(table, host) !== null
}

/** What a host must look like to match a domain: a DNS name (IP literals and odd bytes never match). */
const DNS_NAME = /^[a-z0-9.-]{1,253}$/

/**
 * The request's normalised host: its Host header, else the authority of its URL (in-process requests);
 * null unless it is a plain DNS name, so a wildcard match can never carry other characters into a
 * redirect's Location, whatever the runtime let through.
 */
function requestHost(request: Request): string | null {
  const header = request.headers.get('host')
  let host: string | null
  if (header !== null) host = normaliseRequestHost(header)
  else {
    const url = request.url
    const start = url.indexOf('//') + 2
    const end = url.indexOf('/', start)
    host = normaliseRequestHost(url.slice(start, end === -1 ? url.length : end))
  }
  return host !== null && DNS_NAME.test(host) ? host : null
}
