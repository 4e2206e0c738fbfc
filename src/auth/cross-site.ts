/**
 * @module
 * Refuses state-changing requests to the admin API that a browser makes on behalf of a page on another
 * site. Basic credentials, once typed into the browser for the dashboard, are sent with every request to
 * the gateway, including a form a page elsewhere submits: without this check that page could deploy a
 * function, which runs commands. Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`;
 * non-browser clients (faas-cli, curl, SDKs) send neither and are not affected.
 *
 * Invocations and async submissions are public and stay callable from anywhere, like any web endpoint.
 */
import type { MiddlewareHandler } from 'hono'
import { textResponse } from '../errors.ts'
import { isPublicPath } from './middleware.ts'

/** Methods that must not change state; a browser may send them cross-site freely (links, images). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** `Sec-Fetch-Site` values of requests the gateway's own pages or the user (address bar) started. */
const OWN_FETCH_SITES: ReadonlySet<string> = new Set(['same-origin', 'none'])

const REFUSED =
  'cross-site request refused: a page on another site (or another origin of this one) cannot change ' +
  "this gateway's state. Use the dashboard this gateway serves, faas-cli or curl; clients that send no " +
  'Origin header are not affected'

/** Must run after path normalisation (it decides on the routed path) and before the routes. */
export function refuseCrossSiteWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isPublicPath(c.req.path, c.req.method)) return next()
    return crossSiteRefusal(c.req.raw) ?? next()
  }
}

/** The 403 for a request another site made the browser send; null for the gateway's own pages and non-browsers. */
export function crossSiteRefusal(request: Request): Response | null {
  const fetchSite = request.headers.get('sec-fetch-site') ?? undefined
  if (fetchSite !== undefined && !OWN_FETCH_SITES.has(fetchSite)) return textResponse(403, REFUSED)
  const origin = request.headers.get('origin') ?? undefined
  if (origin !== undefined && !isOwnOrigin(origin, request)) return textResponse(403, REFUSED)
  return null
}

/**
 * Whether `origin` (the `Origin` header) is the request's own scheme, host and port. `null` (sandboxed
 * frames, `data:` pages, some redirects) never is. Behind a proxy that terminates TLS or changes the port,
 * the origin the browser used is in `X-Forwarded-Proto`/`X-Forwarded-Host`; honouring them is safe against
 * pages, which cannot set those headers on a cross-site request without a preflight.
 */
function isOwnOrigin(origin: string, request: Request): boolean {
  const given = originOf(origin)
  if (given === null) return false
  const url = new URL(request.url)
  if (given === url.origin) return true
  const proto = firstValue(request.headers.get('x-forwarded-proto'))
  const host = firstValue(request.headers.get('x-forwarded-host'))
  if (proto === null && host === null) return false
  return given === originOf(`${proto ?? url.protocol.slice(0, -1)}://${host ?? url.host}`)
}

function originOf(text: string): string | null {
  if (text === 'null') return null
  try {
    const origin = new URL(text).origin
    return origin === 'null' ? null : origin
  } catch {
    return null
  }
}

/** The first entry of a comma-separated forwarding header: the one the client-facing proxy wrote. */
function firstValue(header: string | null): string | null {
  if (header === null) return null
  const first = header.split(',')[0]?.trim()
  return first ? first : null
}
