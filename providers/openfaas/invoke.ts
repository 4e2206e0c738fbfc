/**
 * @module
 * One invocation through the backend's `/function/<name>.<namespace><path>` route, which the OpenFaaS
 * gateway, faas-provider (faas-netes, faasd) and edgefaas all serve: the request body is streamed to
 * it as the caller sends it and the response handed back as soon as its headers arrive, body still
 * streaming. Hop-by-hop headers never cross (contract §2.2); `Host` becomes the backend's own.
 *
 * The backend's own failures carry `X-OpenFaaS-Internal` (faas-provider's proxy: 503 "No endpoints
 * available" when it has no replica to send to, 500 "Can't reach service" when the replica did not
 * answer); a function's own 5xx does not. The header is passed on so the gateway's routing can tell
 * the two apart ({@link isBackendInternalError}).
 */
import { connectionOptions, HOP_BY_HOP_HEADERS, isHopByHop } from '../../src/contract/hop-by-hop.ts'
import { INTERNAL_HEADER, isInternalAnswer } from '../../src/contract/internal-header.ts'
import type { HttpClient } from '../../src/http/client.ts'
import { withEditedHeaders } from '../../src/http/edit-headers.ts'
import { type InvocationRequest, ProviderError } from '../types.ts'
import { unreachable } from './backend-api.ts'

/** Set by the OpenFaaS gateway and faas-provider on answers they made themselves, not the function. */
export { INTERNAL_HEADER }

// Encoded slash, backslash and NUL change what a segment is; none is needed to reach a function.
const FORBIDDEN_IN_PATH = /%2f|%5c|%00|\\/i
const ENCODED_DOT = /%2e/gi

/**
 * True when the backend gateway or provider answered itself: the call did not reach the function, or
 * the function did not answer it (a 500 "Can't reach service" includes a replica that timed out, so the
 * function may have run). A function's own error status never carries the header.
 */
export function isBackendInternalError(response: Response): boolean {
  return isInternalAnswer(response)
}

/**
 * Checks `path` (what follows `/function/<name>`, with its query) before it is appended to the backend's
 * function route: a dot segment would climb out of it once a URL parser resolves it (to another
 * function, or to `/system/...` with this gateway's credentials), so it is refused, not passed on.
 */
export function checkFunctionPath(path: string): void {
  const query = path.indexOf('?')
  const pathname = query === -1 ? path : path.slice(0, query)
  if (pathname === '/') return
  const dotted = pathname
    .replace(ENCODED_DOT, '.')
    .split('/')
    .some((segment) => segment === '.' || segment === '..')
  if (!pathname.startsWith('/') || FORBIDDEN_IN_PATH.test(pathname) || dotted || pathname.includes('#')) {
    throw new ProviderError(
      'INVALID',
      'the function path must start with "/" and have no dot segments or encoded separators',
    )
  }
}

/**
 * `promise`, or the signal's reason once the caller gives up: a readiness check is shared by concurrent
 * calls, so one caller leaving must not cancel it, only stop waiting for it.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Forwards `request` to `url`; a backend that cannot be reached is UNAVAILABLE (cause: HttpTransportError). */
export async function forwardInvocation(
  http: HttpClient,
  url: string,
  request: InvocationRequest,
  shown: string,
): Promise<Response> {
  const headers = forwardedHeaders(request.headers)
  const body = request.method === 'GET' || request.method === 'HEAD' ? null : request.body
  let response: Response
  try {
    response = await http(url, { method: request.method, headers, body, signal: request.signal })
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason
    throw unreachable(shown, error)
  }
  return withoutHopByHop(response)
}

/** The caller's headers without hop-by-hop ones (those its Connection names included) and Host. */
function forwardedHeaders(incoming: Headers): Headers {
  const headers = new Headers()
  const listed = connectionOptions(incoming.get('connection'))
  incoming.forEach((value, key) => {
    // Host: the HTTP client sets the backend's own.
    if (key !== 'host' && !isHopByHop(key, listed)) headers.append(key, value)
  })
  return headers
}

/** The response without hop-by-hop headers (see src/http/edit-headers.ts for immutable ones). */
function withoutHopByHop(response: Response): Response {
  const present: string[] = []
  const listed = connectionOptions(response.headers.get('connection'))
  if (listed) for (const name of listed) if (response.headers.has(name)) present.push(name)
  for (const name of HOP_BY_HOP_HEADERS) if (response.headers.has(name)) present.push(name)
  if (present.length === 0) return response
  return withEditedHeaders(response, (headers) => {
    for (const name of present) headers.delete(name)
  })
}
