/**
 * @module
 * The core's HttpClient (src/http/client.ts) on Node, over the runtime's one pooled upstream client
 * (upstream.ts: the wire client for `http:` with a whole body, undici otherwise) rather than fetch:
 * Node's fetch decodes `Content-Encoding` (a gzipped body would be passed on decompressed but still
 * labelled gzip) and its Web-stream plumbing costs most of a proxy's throughput. Redirects are not followed and bodies are left as they are on the wire.
 */
import { type HttpClient, type HttpRequestInit, HttpTransportError, splitOrigin } from '../../http/client.ts'
import { signalCancellation } from '../../invoke/call-control.ts'
import { SMALL_BODY_BYTES } from './incoming-body.ts'
import {
  createUpstreamClient,
  type UpstreamBody,
  type UpstreamClient,
  type UpstreamHead,
  type UpstreamOptions,
} from './upstream.ts'

export type NodeHttpClientOptions = UpstreamOptions

/** An HttpClient that owns connection pools: `close()` ends them. `upstream` is the pool underneath. */
export interface NodeHttpClient extends HttpClient {
  readonly upstream: UpstreamClient
  close(): void
}

/** Statuses that carry no body whatever the headers say. */
const NULL_BODY_STATUS: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

export function createNodeHttpClient(options: NodeHttpClientOptions = {}): NodeHttpClient {
  const upstream = createUpstreamClient(options)
  const client = (async (url: string, init: HttpRequestInit): Promise<Response> => {
    const { origin, path } = splitOrigin(url)
    const headers: string[] = []
    init.headers.forEach((value, key) => {
      headers.push(key, value)
    })
    // A Web stream is an async iterable, which undici sends as it is read (chunked without a length).
    const body = init.body as UpstreamBody
    const head = await upstream.send(
      { origin, path, method: init.method, headers, body },
      init.signal ? signalCancellation(init.signal) : undefined,
    )
    if (head.status < 200 || head.status > 599) {
      head.body.discard()
      throw new HttpTransportError(
        `the server answered with status ${head.status}, which cannot be passed on`,
        {
          beforeSend: false,
          responseStarted: true,
        },
      )
    }
    return new Response(await webBody(head, init.method), {
      status: head.status,
      statusText: head.statusText,
      headers: webHeaders(head),
    })
  }) as NodeHttpClient
  Object.defineProperty(client, 'upstream', { value: upstream })
  client.close = () => {
    upstream.close().catch(() => {})
  }
  return client
}

function webHeaders(head: UpstreamHead): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(head.headers)) {
    if (Array.isArray(value)) for (const one of value) headers.append(name, one)
    else if (value !== undefined) headers.append(name, value)
  }
  return headers
}

/** null for HEAD and bodiless statuses; whole when small and of known length; else a Web stream. */
function webBody(
  head: UpstreamHead,
  method: string,
): Promise<Uint8Array | ReadableStream<Uint8Array> | null> {
  const { body } = head
  if (method === 'HEAD' || NULL_BODY_STATUS.has(head.status)) {
    body.consume({ data: () => true, end() {}, error() {} })
    return Promise.resolve(null)
  }
  const length = Number(head.headers['content-length'] ?? Number.NaN)
  if (length <= SMALL_BODY_BYTES) return readAll(head, length)
  return Promise.resolve(
    new ReadableStream<Uint8Array>({
      start(controller) {
        body.consume({
          data(chunk) {
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
            return (controller.desiredSize ?? 0) > 0
          },
          end: () => controller.close(),
          error: (error) => controller.error(error),
        })
      },
      pull() {
        body.resume()
      },
      cancel(reason) {
        body.discard(reason instanceof Error ? reason : undefined)
      },
    }),
  )
}

function readAll(head: UpstreamHead, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const whole = new Uint8Array(length)
    let offset = 0
    head.body.consume({
      data(chunk) {
        if (offset + chunk.byteLength > length) {
          head.body.discard(new Error('the server sent more bytes than its Content-Length'))
          reject(new Error('the server sent more bytes than its Content-Length'))
          return false
        }
        whole.set(chunk, offset)
        offset += chunk.byteLength
        return true
      },
      end: () => resolve(offset === length ? whole : whole.subarray(0, offset)),
      error: reject,
    })
  })
}
