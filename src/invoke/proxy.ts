/**
 * @module
 * The synchronous invocation proxy behind `/function/{name}[.{ns}][/{rest}]`. Steady state: one route
 * cache lookup (no SQL), one upstream call through the provider with the body streamed both ways, a few
 * metric increments. A function with no ready replica is held while it scales from zero.
 */

import type { InvocationGate } from '../access/invocation-gate.ts'
import { functionTimeoutMs } from '../contract/function-timeout.ts'
import { INTERNAL_HEADER } from '../contract/internal-header.ts'
import { textResponse } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { functionLabel, type GatewayMetrics } from '../metrics/types.ts'
import { parseFunctionPath } from '../routing/function-path.ts'
import { originOf } from '../routing/locality.ts'
import type { RouteCache } from '../routing/route-cache.ts'
import type { BackendRouter } from '../routing/router.ts'
import { splitUrl } from '../routing/split-url.ts'
import { deliver, notFound } from './deliver.ts'
import { BACKEND_HEADER, decorateResponse, upstreamHeaders } from './headers.ts'
import type { ScaleFromZero } from './scale-from-zero.ts'

export interface ProxyDeps {
  routes: RouteCache
  router: BackendRouter
  scaleFromZero: ScaleFromZero
  metrics: GatewayMetrics | null
  logger: Logger
  defaultNamespace: string
  /** Gateway-wide cap on one upstream call (OpenFaaS `upstream_timeout`). */
  upstreamTimeoutMs: number
  /** Bytes of a request body kept so a call can be resent to another backend. */
  resendBodyLimit: number
  /** `X-Served-By` value. */
  servedBy: string
  /** Invoke auth and rate limits (src/access/); absent: every call is admitted. */
  gate?: InvocationGate
}

const PREFIX = '/function/'
/**
 * How much longer than the function's timeout the gateway waits: a backend that enforces the timeout
 * itself (the classic watchdog's `exec_timeout`) gets to send its own answer (408 `Killed process.`)
 * instead of the caller getting the gateway's 502.
 */
const BACKEND_TIMEOUT_GRACE_MS = 500

/**
 * Forwards one request. `clientAddress` is the caller's `ip:port`, when the runtime knows it; `url` is
 * the request URL already split by the caller that routed on it, so the hot path splits it once.
 */
export type Invoke = (
  request: Request,
  clientAddress: string | undefined,
  url?: { pathname: string; search: string },
) => Promise<Response>

export function createProxy(deps: ProxyDeps): Invoke {
  const delivery = {
    router: deps.router,
    scaleFromZero: deps.scaleFromZero,
    resendBodyLimit: deps.resendBodyLimit,
  }
  return async (request, clientAddress, url) => {
    const started = performance.now()
    const { pathname, search } = url ?? splitUrl(request.url)
    const target = parseFunctionPath(pathname, PREFIX, deps.defaultNamespace)
    if (!target) return proxyError(404, 'error finding function: no such function', null)
    const { name, namespace } = target

    const fn = await deps.routes.get(namespace, name)
    const label = functionLabel(name, namespace)
    if (!fn) return proxyError(404, notFound(label), null)
    const admitted = deps.gate ? await deps.gate.admit(fn, request, clientAddress, search) : {}
    if (admitted instanceof Response) return admitted
    deps.metrics?.invocationStarted(label)
    const finish = (response: Response): Response => {
      deps.metrics?.invocationFinished(label, response.status, (performance.now() - started) / 1000)
      return response
    }

    // GET and HEAD carry no body; not touching `request.body` keeps Node's lazy request unmaterialised.
    // The caller's body, if it sent one anyway, was framed and is discarded by the runtime's server.
    const forwardsBody = request.method !== 'GET' && request.method !== 'HEAD'
    const { headers, call } = upstreamHeaders(request.headers, clientAddress, forwardsBody)
    admitted.apply?.(headers)
    // One controller for both ways a call ends early; cheaper per call than AbortSignal.any + timeout.
    const abort = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      abort.abort(new Error('upstream timeout'))
    }, functionTimeoutMs(fn.spec.annotations, deps.upstreamTimeoutMs) + BACKEND_TIMEOUT_GRACE_MS)
    const onCallerGone = () => abort.abort(request.signal.reason)
    request.signal.addEventListener('abort', onCallerGone, { once: true })
    try {
      const result = await deliver(delivery, {
        fn,
        label,
        path: target.rest + (admitted.search ?? search),
        method: request.method,
        headers,
        body: forwardsBody ? request.body : null,
        signal: abort.signal,
        timedOut: () => timedOut,
        callerGone: () => request.signal.aborted,
        origin: originOf(request),
      })
      // The timeout bounds the wait for the response to start; a streamed body (SSE, NDJSON) may then
      // run as long as the function keeps writing and the caller keeps reading.
      if (result.kind === 'response') {
        return finish(decorateResponse(result.response, call, deps.servedBy, result.backend))
      }
      if (result.status === 502 && !request.signal.aborted && !timedOut) {
        deps.logger.warn('invocation failed', { function: label, error: result.cause ?? result.message })
      }
      return finish(proxyError(result.status, result.message, result.backend))
    } finally {
      clearTimeout(timer)
      request.signal.removeEventListener('abort', onCallerGone)
    }
  }
}

/**
 * The gateway's own answer on the invocation path, marked `X-OpenFaaS-Internal: proxy` as the
 * OpenFaaS proxy marks its own, so a front door (or a queue worker) can tell it from the function's.
 */
function proxyError(status: number, message: string, backend: string | null): Response {
  const headers: Record<string, string> = { [INTERNAL_HEADER]: 'proxy' }
  if (backend !== null) headers[BACKEND_HEADER] = backend
  return textResponse(status, message, headers)
}
