/**
 * @module
 * The async worker's invocations on Node (`InvokeQueued`, src/queue/queued-invoke.ts): each queued call
 * run through the shared invocation pipeline with Node's native transport (native-invoke.ts) over the
 * pooled upstream client, as `/function/*` is served: the stored headers become the upstream ones as
 * they are, the body goes out as one Buffer with them, and the answer is read whole into a Buffer. No
 * Web `Request`, `Response`, `Headers` or stream is built per call. The rules (route, gate, header rules,
 * timeout, failover, scale from zero, metrics) stay the pipeline's.
 */
import { markQueued } from '../../access/queued-calls.ts'
import { INTERNAL_HEADER } from '../../contract/internal-header.ts'
import { ListHeaders, RecordHeaders } from '../../http/header-map.ts'
import { SharedDeadlines } from '../../invoke/deadlines.ts'
import { decorate } from '../../invoke/headers.ts'
import type { InvocationIO, RunInvocation } from '../../invoke/invocation.ts'
import { type InvokeQueued, type QueuedAnswer, queuedTarget, sendsBody } from '../../queue/queued-invoke.ts'
import { type NativeAnswer, type NativeBody, nativeTransport } from './native-invoke.ts'
import { CallerHeaders, upstreamHeaderList } from './request-headers.ts'
import type { UpstreamClient } from './upstream.ts'

const noop = () => {}

export function createNativeQueuedInvoke(
  run: RunInvocation,
  upstream: UpstreamClient,
  servedBy: string,
): InvokeQueued {
  const transport = nativeTransport(upstream, new SharedDeadlines())
  return async (record, fnLabel) => {
    const { pathname, search } = queuedTarget(record, fnLabel)
    // The stored headers as a socket's rawHeaders, the rules applied in the same one pass as for a
    // caller's; the function sees the call's own id, so it can de-duplicate at-least-once deliveries.
    const raw: string[] = []
    for (const [name, value] of record.headers) if (name.toLowerCase() !== 'x-call-id') raw.push(name, value)
    raw.push('x-call-id', record.id)
    const headers = new CallerHeaders(raw)
    const body: Buffer | null = sendsBody(record) ? Buffer.from(record.body, 'base64') : null
    const io: InvocationIO<ListHeaders, NativeBody> = {
      method: record.method,
      pathname,
      search,
      clientAddress: undefined,
      // Marked as the queue's own: its caller was checked when it was queued (src/access/invocation-gate.ts).
      gateRequest: markQueued({ headers }),
      headers,
      upstreamHeaders: (forwardsBody) => upstreamHeaderList(raw, undefined, forwardsBody),
      body: () => body,
      callerGone: () => false,
      onCallerGone: () => noop,
    }
    const result = await run(transport, io)
    if (result.kind === 'refused') {
      const text = new TextEncoder().encode(`${result.message}\n`)
      const answer: Record<string, string> = {}
      for (const [name, value] of Object.entries(result.headers)) answer[name.toLowerCase()] = value
      const list = new RecordHeaders(answer)
      return { status: result.status, headers: list, internal: list.has(INTERNAL_HEADER), body: text }
    }
    if (result.kind === 'gate') {
      const { response } = result
      return {
        status: response.status,
        headers: response.headers,
        internal: response.headers.has(INTERNAL_HEADER),
        body: new Uint8Array(await response.arrayBuffer()),
      }
    }
    const { answer, call, backend } = result
    const list = new ListHeaders(answer.headers)
    decorate(list, call, servedBy, backend)
    return { status: answer.status, headers: list, internal: answer.internal, body: await readWhole(answer) }
  }
}

/** The answer's body in one Buffer; the target hears the exchange is over once it is read. */
function readWhole(answer: NativeAnswer): Promise<QueuedAnswer['body']> {
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
