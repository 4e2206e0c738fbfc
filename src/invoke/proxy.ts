/**
 * @module
 * The synchronous invocation proxy behind `/function/{name}[.{ns}][/{rest}]`, as the Web transport:
 * a Web `Request` in, a `Response` out, each attempt sent through `Provider.invoke`. Serves Workers and
 * Deno, the async worker, and Node's requests that do not take the native transport. The rules (route,
 * admission, headers, timeout, backend choice, failover, scale from zero, metrics) are the shared
 * pipeline's (invocation.ts), which Node's native transport (src/runtime/node/native-invoke.ts) runs too.
 */
import { isInternalAnswer } from '../contract/internal-header.ts'
import { textResponse } from '../errors.ts'
import { originOf } from '../routing/locality.ts'
import { splitUrl } from '../routing/split-url.ts'
import type { Transport } from './deliver.ts'
import { decorateResponse, upstreamHeaders } from './headers.ts'
import { createInvocation, type InvocationDeps } from './invocation.ts'
import { ResendableBody } from './resendable-body.ts'

export type ProxyDeps = InvocationDeps

/**
 * Forwards one request. `clientAddress` is the caller's `ip:port`, when the runtime knows it; `url` is
 * the request URL already split by the caller that routed on it, so the hot path splits it once.
 */
export type Invoke = (
  request: Request,
  clientAddress: string | undefined,
  url?: { pathname: string; search: string },
) => Promise<Response>

/** Each attempt through `Provider.invoke`, bodies as Web streams. */
export const WEB_TRANSPORT: Transport<Headers, ReadableStream<Uint8Array>, Response> = {
  send: (provider, call, body) =>
    provider.invoke(call.fn.namespace, call.fn.name, call.path, {
      method: call.method,
      headers: call.headers,
      body,
      signal: call.signal,
    }),
  internal: isInternalAnswer,
  resendable(body, limit) {
    const kept = new ResendableBody(body, limit)
    return {
      get replayable() {
        return kept.replayable
      },
      body: () => kept.stream(),
    }
  },
  discard: (response) => {
    response.body?.cancel().catch(() => {})
  },
}

export function createProxy(deps: ProxyDeps): Invoke {
  const run = createInvocation(deps)
  return async (request, clientAddress, url) => {
    const { pathname, search } = url ?? splitUrl(request.url)
    const { signal } = request
    const result = await run(WEB_TRANSPORT, {
      method: request.method,
      pathname,
      search,
      clientAddress,
      // The gate reads the Request itself (its identity tells a call the worker runs from a queue).
      gateRequest: request,
      headers: request.headers,
      upstreamHeaders: (forwardsBody) => upstreamHeaders(request.headers, clientAddress, forwardsBody),
      body: () => request.body,
      callerGone: () => signal.aborted,
      origin: originOf(request),
      onCallerGone(listener) {
        const onAbort = () => listener(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        return () => signal.removeEventListener('abort', onAbort)
      },
    })
    if (result.kind === 'answer') {
      return decorateResponse(result.answer, result.call, deps.servedBy, result.backend)
    }
    if (result.kind === 'gate') return result.response
    return textResponse(result.status, result.message, result.headers)
  }
}
