/**
 * @module
 * The async worker's invocation on Node: the same pipeline as every call (src/invoke/invocation.ts: route,
 * admission, header rules, timeout, backend choice, failover, scale from zero, metrics), sent by the native
 * transport over the runtime's pooled upstream client (native-invoke.ts, upstream.ts) instead of the Web
 * transport's `Provider.invoke` (node:http and Web-stream adapters). The worker reads every answer whole
 * (for its callback), so the answer is read into one buffer and handed back as a Web `Response`, the
 * worker's `Invoke` contract; the request the worker built (and marked as queued) is what the gate sees.
 */

import { textResponse } from '../../errors.ts'
import { type HeaderRecord, RecordHeaders } from '../../http/header-map.ts'
import { decorate } from '../../invoke/headers.ts'
import type { RunInvocation } from '../../invoke/invocation.ts'
import type { Invoke } from '../../invoke/proxy.ts'
import { splitUrl } from '../../routing/split-url.ts'
import { type NativeAnswer, type NativeBody, nativeTransport } from './native-invoke.ts'
import type { UpstreamClient } from './upstream.ts'

const NULL_BODY_STATUS: ReadonlySet<number> = new Set([204, 205, 304])

export function createQueuedInvoke(run: RunInvocation, upstream: UpstreamClient, servedBy: string): Invoke {
  const transport = nativeTransport(upstream)
  return async (request, clientAddress, url) => {
    const { pathname, search } = url ?? splitUrl(request.url)
    const record: HeaderRecord = {}
    request.headers.forEach((value, name) => {
      record[name] = value
    })
    const headers = new RecordHeaders(record)
    const body: NativeBody | null = request.body ? Buffer.from(await request.arrayBuffer()) : null
    const { signal } = request
    const result = await run(transport, {
      method: request.method,
      pathname,
      search,
      clientAddress,
      // The gate reads the Request itself: its identity tells it the call comes from the queue.
      gateRequest: request,
      headers: request.headers,
      copyHeaders: () => headers,
      body: () => body,
      callerGone: () => signal.aborted,
      onCallerGone(listener) {
        const onAbort = () => listener(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        return () => signal.removeEventListener('abort', onAbort)
      },
    })
    if (result.kind === 'gate') return result.response
    if (result.kind === 'refused') return textResponse(result.status, result.message, result.headers)
    const { answer, call, backend } = result
    decorate(new RecordHeaders(answer.headers as HeaderRecord), call, servedBy, backend)
    const bytes = await readWhole(answer)
    const out = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const one of value) out.append(name, one)
      else if (value !== undefined) out.append(name, String(value))
    }
    return new Response(NULL_BODY_STATUS.has(answer.status) ? null : bytes, {
      status: answer.status,
      headers: out,
    })
  }
}

/** The answer's body in one buffer; the target hears the exchange is over either way. */
function readWhole(answer: NativeAnswer): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    answer.body.consume({
      data(chunk) {
        chunks.push(chunk)
        return true
      },
      end() {
        answer.done()
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))
      },
      error(error) {
        answer.done()
        reject(error)
      },
    })
  })
}
