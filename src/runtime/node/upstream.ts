/**
 * @module
 * The one pooled upstream client of the Node runtime. Every call a Node gateway sends to a function
 * goes through it: the native invocation transport (native-invoke.ts) to local replicas and remote
 * backends alike, and the core's HttpClient (http-client.ts) for remote backends' APIs and for
 * runtimes that serve Web `Request`s.
 *
 * Two clients behind one interface: the wire client (wire/client/wire-client.ts: `node:net` sockets, its own
 * HTTP/1.1 encoder and strict parser) for `http:` origins and bodies already whole (none, a string, bytes
 * — the small-body case the native transport reads whole), and undici's Agent (undici-upstream.ts) for
 * `https:` and streamed bodies. Both keep the same failure meaning (HttpTransportError's
 * `beforeSend`, `responseStarted`), which failover depends on; `wire: false` sends everything via undici.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { Cancellation } from '../../invoke/call-control.ts'
import { createUndiciUpstream } from './undici-upstream.ts'
import { createWireClient, wireCanSend } from './wire/client/wire-client.ts'

export interface UpstreamOptions {
  /**
   * Idle pooled connections are closed after this long, unless the server's `Keep-Alive: timeout=`
   * says sooner. Default 4 s: under the 5 s keep-alive of a Node server, so the client, not the server,
   * ends an idle connection and a request is rarely written to a socket the server is closing.
   */
  idleSocketMs?: number
  /** Extra CA certificates (PEM) trusted for https origins, e.g. a cluster's private CA. */
  ca?: string | undefined
  /**
   * Connections per origin; default unlimited (one per concurrent call, as node:http's agent). Each of
   * the two clients keeps its own cap: an origin served both whole and streamed bodies may have twice.
   */
  connectionsPerOrigin?: number
  /**
   * Send `http:` requests with whole bodies over the wire client (default true); false sends every
   * request through undici.
   */
  wire?: boolean
}

export type UpstreamBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array> | null

export interface UpstreamRequest {
  /** `http://host:port` or `https://host:port`, no path. */
  origin: string
  /** Path and query, sent exactly as given. */
  path: string
  method: string
  /** Header names and values, flat (`[name, value, name, value…]`); `host` is the origin's own unless given. */
  headers: string[]
  body: UpstreamBody
}

/** The response head, its body still arriving. */
export interface UpstreamHead {
  status: number
  statusText: string
  /** Lower-case names; a repeated header is an array (`set-cookie`). */
  headers: IncomingHttpHeaders
  body: UpstreamResponseBody
}

/** Receives a response body: `data` returns false to pause until `resume()`. */
export interface BodySink {
  data(chunk: Buffer): boolean
  end(): void
  error(error: Error): void
}

export interface UpstreamResponseBody {
  /** Starts delivering chunks to `sink` (chunks received so far first). Called at most once. */
  consume(sink: BodySink): void
  /** Resumes after `sink.data` returned false. */
  resume(): void
  /** Abandons the body: the connection is closed unless the body had already ended. */
  discard(reason?: Error): void
}

export interface UpstreamClient {
  /** Sends one request; resolves with the head, rejects with HttpTransportError or the cancellation's reason. */
  send(request: UpstreamRequest, cancel?: Cancellation): Promise<UpstreamHead>
  close(): Promise<void>
}

export function createUpstreamClient(options: UpstreamOptions = {}): UpstreamClient {
  const undici = createUndiciUpstream(options)
  if (options.wire === false) return undici
  const wire = createWireClient({
    ...(options.idleSocketMs !== undefined ? { idleSocketMs: options.idleSocketMs } : {}),
    ...(options.connectionsPerOrigin ? { connectionsPerOrigin: options.connectionsPerOrigin } : {}),
  })
  let closing: Promise<void> | null = null
  return {
    send: (request, cancel) => (wireCanSend(request) ? wire : undici).send(request, cancel),
    close() {
      closing ??= Promise.all([wire.close(), undici.close()]).then(() => {})
      return closing
    },
  }
}
