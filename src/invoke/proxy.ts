/**
 * @module
 * The synchronous invocation proxy behind `/function/{name}[.{ns}][/{rest}]`. Steady state: one route
 * cache lookup (no SQL), one upstream call through the provider with the body streamed both ways, a few
 * metric increments. A function with no ready replica is held while it scales from zero.
 */

import { type InvocationRequest, ProviderError } from '../../providers/types.ts'
import { functionTimeoutMs } from '../contract/function-timeout.ts'
import { textResponse } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { functionLabel, type GatewayMetrics } from '../metrics/types.ts'
import { chooseBackend } from '../routing/choose-backend.ts'
import { parseFunctionPath } from '../routing/function-path.ts'
import type { ProviderRegistry } from '../routing/registry.ts'
import type { RouteCache } from '../routing/route-cache.ts'
import { splitUrl } from '../routing/split-url.ts'
import { decorateResponse, upstreamHeaders } from './headers.ts'
import type { ScaleFromZero } from './scale-from-zero.ts'

export interface ProxyDeps {
  routes: RouteCache
  providers: ProviderRegistry
  scaleFromZero: ScaleFromZero
  metrics: GatewayMetrics | null
  logger: Logger
  defaultNamespace: string
  /** Gateway-wide cap on one upstream call (OpenFaaS `upstream_timeout`). */
  upstreamTimeoutMs: number
  /** `X-Served-By` value. */
  servedBy: string
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
  return async (request, clientAddress, url) => {
    const started = performance.now()
    const { pathname, search } = url ?? splitUrl(request.url)
    const target = parseFunctionPath(pathname, PREFIX, deps.defaultNamespace)
    if (!target) return textResponse(404, 'error finding function: no such function')
    const { name, namespace } = target
    const path = target.rest + search

    const fn = await deps.routes.get(namespace, name)
    const label = functionLabel(name, namespace)
    if (!fn) return notFound(label)
    const choice = chooseBackend(fn, deps.providers)
    deps.metrics?.invocationStarted(label)
    const finish = (response: Response): Response => {
      deps.metrics?.invocationFinished(label, response.status, (performance.now() - started) / 1000)
      return response
    }
    if (!choice) return finish(textResponse(502, `function ${label} has no reachable backend`))
    const { backend, provider } = choice

    // GET and HEAD carry no body; not touching `request.body` keeps Node's lazy request unmaterialised.
    // The caller's body, if it sent one anyway, was framed and is discarded by the runtime's server.
    const forwardsBody = request.method !== 'GET' && request.method !== 'HEAD'
    const { headers, call } = upstreamHeaders(request.headers, clientAddress, forwardsBody)
    // One controller for both ways a call ends early; cheaper per call than AbortSignal.any + timeout.
    const abort = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      abort.abort(new Error('upstream timeout'))
    }, functionTimeoutMs(fn.spec.annotations, deps.upstreamTimeoutMs) + BACKEND_TIMEOUT_GRACE_MS)
    const onCallerGone = () => abort.abort(request.signal.reason)
    request.signal.addEventListener('abort', onCallerGone, { once: true })
    const done = () => {
      clearTimeout(timer)
      request.signal.removeEventListener('abort', onCallerGone)
    }
    const forwarded: InvocationRequest = {
      method: request.method,
      headers,
      body: forwardsBody ? request.body : null,
      signal: abort.signal,
    }
    // NOT_READY and NOT_FOUND are thrown before the body is touched, so the request can be sent again.
    const upstream = () => provider.invoke(namespace, name, path, forwarded)
    try {
      let response: Response
      try {
        response = await upstream()
      } catch (error) {
        // NOT_FOUND while the store has the function: this backend has not applied it yet (another
        // gateway wrote it and this one's reconcile tick has not run). Both wait like a scale from zero.
        if (!ProviderError.is(error) || (error.code !== 'NOT_READY' && error.code !== 'NOT_FOUND'))
          throw error
        const outcome = await deps.scaleFromZero.waitUntilReady(fn, backend, abort.signal)
        if (outcome === 'gone') return finish(notFound(label))
        if (typeof outcome === 'object')
          return finish(textResponse(503, `function ${label} cannot start: ${outcome.failed}`))
        if (outcome === 'timeout')
          return finish(textResponse(503, `function ${label} did not become ready in time`))
        response = await upstream()
      }
      // The timeout bounds the wait for the response to start; a streamed body (SSE, NDJSON) may then
      // run as long as the function keeps writing and the caller keeps reading.
      done()
      return finish(decorateResponse(response, call, deps.servedBy))
    } catch (error) {
      done()
      if (timedOut) return finish(textResponse(502, `function ${label} did not answer in time`))
      if (ProviderError.is(error) && error.code === 'NOT_FOUND') {
        return finish(notFound(label))
      }
      if (!request.signal.aborted) deps.logger.warn('invocation failed', { function: label, error })
      return finish(textResponse(502, `function ${label} is unreachable`))
    }
  }
}

/** The OpenFaaS gateway's answer for a function it cannot find (`name.namespace` is a validated label). */
function notFound(label: string): Response {
  return textResponse(404, `error finding function ${label}: not found`)
}
