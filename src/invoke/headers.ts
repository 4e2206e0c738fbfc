/**
 * @module
 * Header rules of the OpenFaaS proxy (contract §2.2, §2.3): hop-by-hop headers never cross, the caller's
 * host and address are passed on unless a proxy in front already set them, and every call carries
 * `X-Call-Id` and `X-Start-Time` (Unix nanoseconds) to the function and back to the caller.
 */

import { deleteHopByHop, isHopByHop } from '../contract/hop-by-hop.ts'
import { INTERNAL_HEADER } from '../contract/internal-header.ts'
import { withEditedHeaders } from '../http/edit-headers.ts'
import type { HeaderMap } from '../http/header-map.ts'

export interface CallIdentity {
  callId: string
  /** True when the gateway made the id up (it is then echoed to the caller). */
  generated: boolean
  startTime: string
}

/**
 * Headers for the upstream request; `clientAddress` is `ip:port` like Go's RemoteAddr. `forwardsBody`
 * says whether the caller's body goes upstream: when it does not, the caller's `Content-Length` must not
 * either, or the function would read the next request on a kept-alive connection (another caller's) as
 * the missing body. (`Transfer-Encoding` never crosses: it is hop-by-hop.)
 */
export function upstreamHeaders(
  incoming: Headers,
  clientAddress: string | undefined,
  forwardsBody: boolean,
): { headers: Headers; call: CallIdentity } {
  const headers = new Headers(incoming)
  return { headers, call: applyUpstreamRules(headers, clientAddress, forwardsBody) }
}

/** The rules of {@link upstreamHeaders}, in place on a copy of the caller's headers any transport made. */
export function applyUpstreamRules(
  headers: HeaderMap,
  clientAddress: string | undefined,
  forwardsBody: boolean,
): CallIdentity {
  deleteHopByHop(headers)
  if (!forwardsBody) headers.delete('content-length')
  const caller: CallerForwarding = {
    host: headers.get('host'),
    forwardedHost: headers.has('x-forwarded-host'),
    forwardedFor: headers.has('x-forwarded-for'),
    callId: headers.get('x-call-id'),
  }
  return addUpstreamHeaders(caller, clientAddress, (name, value) => headers.set(name, value))
}

/**
 * Whether a caller's header (lower-case name) stays out of the upstream request whatever its value: a
 * fixed hop-by-hop one, a Content-Length with no body to frame, and X-Start-Time, which the gateway
 * sets. (Those the caller's `Connection` lists go too: see {@link applyUpstreamRules}.) For a transport
 * that copies the caller's headers in one pass; {@link addUpstreamHeaders} then adds the gateway's.
 */
export function leftOutUpstream(name: string, forwardsBody: boolean): boolean {
  return isHopByHop(name, null) || name === 'x-start-time' || (!forwardsBody && name === 'content-length')
}

/** What of the caller's headers decides the ones the gateway adds. */
export interface CallerForwarding {
  /** Host, as the caller sent it. */
  host: string | null
  /** Whether a proxy in front already set X-Forwarded-Host / X-Forwarded-For. */
  forwardedHost: boolean
  forwardedFor: boolean
  /** The caller's X-Call-Id, if any. */
  callId: string | null
}

/**
 * Adds the gateway's headers to the upstream request through `set` (which replaces a header of that
 * name): X-Forwarded-Host and X-Forwarded-For unless a proxy in front set them, X-Call-Id (the
 * caller's, or made up here) and X-Start-Time (Unix nanoseconds).
 */
export function addUpstreamHeaders(
  caller: CallerForwarding,
  clientAddress: string | undefined,
  set: (name: string, value: string) => void,
): CallIdentity {
  if (caller.host && !caller.forwardedHost) set('x-forwarded-host', caller.host)
  if (clientAddress && !caller.forwardedFor) set('x-forwarded-for', clientAddress)
  const generated = !caller.callId
  const callId = caller.callId || crypto.randomUUID()
  set('x-call-id', callId)
  // Millisecond clock in nanosecond units: the Number type cannot hold epoch nanoseconds exactly.
  const startTime = `${Date.now()}000000`
  set('x-start-time', startTime)
  return { callId, generated, startTime }
}

/** Names the backend that served the call (edgefaas's own header, not OpenFaaS's). */
export const BACKEND_HEADER = 'x-edgefaas-backend'

/**
 * Adds the gateway's headers to the function's response; the function's own values win, except for
 * `X-Edgefaas-Backend`, which is always this gateway's choice (a backend edgefaas names its own).
 */
export function decorateResponse(
  response: Response,
  call: CallIdentity,
  servedBy: string,
  backend: string,
): Response {
  return withEditedHeaders(response, (headers) => decorate(headers, call, servedBy, backend))
}

/** The edits of {@link decorateResponse}, on any transport's response headers. */
export function decorate(headers: HeaderMap, call: CallIdentity, servedBy: string, backend: string): void {
  if (call.generated && !headers.has('x-call-id')) headers.set('x-call-id', call.callId)
  if (!headers.has('x-start-time')) headers.set('x-start-time', call.startTime)
  if (!headers.has('x-served-by')) headers.set('x-served-by', servedBy)
  headers.set(BACKEND_HEADER, backend)
}

/**
 * Headers of the gateway's own answer on the invocation path, marked `X-OpenFaaS-Internal: proxy` as the
 * OpenFaaS proxy marks its own, so a front door (or a queue worker) can tell it from the function's.
 */
export function proxyErrorHeaders(backend: string | null): Record<string, string> {
  const headers: Record<string, string> = { [INTERNAL_HEADER]: 'proxy' }
  if (backend !== null) headers[BACKEND_HEADER] = backend
  return headers
}
