/**
 * @module
 * The wire client: an {@link UpstreamClient} for `http:` origins and whole bodies on plain `node:net`
 * sockets, with its own request encoder (request-encoder.ts), response parser (response-parser.ts) and
 * keep-alive pool (socket-pool.ts). undici's dispatch machinery (its Request and Client state machines,
 * the wasm llhttp, the handler API) costs as much per call as node:http's server does; this path is
 * one Buffer written and one parser fed per call.
 *
 * Failures mean what the undici path's mean, because failover depends on it
 * (src/invoke/attempt-outcome.ts): `beforeSend` only when the connection was never established or the
 * request was refused before a byte was built; `responseStarted` once any byte of a response arrived
 * (a malformed head included). A connection is reused only when its request was fully written, its
 * response fully read and framed, and both sides allow keep-alive.
 */
import { upstreamTransportError } from '../../transport-error.ts'
import type {
  BodySink,
  UpstreamClient,
  UpstreamHead,
  UpstreamRequest,
  UpstreamResponseBody,
} from '../../upstream.ts'
import { encodeRequest } from './request-encoder.ts'
import { type ResponseEvents, type ResponseHead, ResponseParser } from './response-parser.ts'
import {
  type Connection,
  type ConnectionUser,
  type OriginPool,
  SocketPools,
  type Waiter,
} from './socket-pool.ts'

export interface WireClientOptions {
  /** Idle connections close after this long (or the server's Keep-Alive timeout less 2 s). Default 4 s. */
  idleSocketMs?: number
  /** Connections per origin; default unlimited. */
  connectionsPerOrigin?: number
  /** A connection not established within this fails the call (beforeSend). Default 10 s, as undici. */
  connectTimeoutMs?: number
}

/** Chunks received before the body's consumer arrived, kept up to this before reading pauses. */
const BUFFER_BEFORE_CONSUMER = 64 * 1024
/** Parsed origins kept; past this the cache starts over (origins are few: backends, replicas). */
const MAX_ORIGINS_CACHED = 4_096

interface Target {
  host: string
  port: number
  /** The origin's pool, while it lives (a pool with no connection left is dropped and made again). */
  pool: OriginPool | null
  /** `host[:port]` as undici writes it for the origin (default port left out, IPv6 in brackets). */
  hostHeader: string
}

/** True for what the wire client sends: `http:` and a body already whole. */
export function wireCanSend(request: UpstreamRequest): boolean {
  const { body } = request
  return (
    request.origin.startsWith('http://') &&
    request.method !== 'CONNECT' &&
    (body === null || typeof body === 'string' || body instanceof Uint8Array)
  )
}

export function createWireClient(options: WireClientOptions = {}): UpstreamClient {
  const pools = new SocketPools({
    idleSocketMs: options.idleSocketMs ?? 4_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    connectionsPerOrigin: options.connectionsPerOrigin || Number.POSITIVE_INFINITY,
  })
  const targets = new Map<string, Target>()

  function targetOf(origin: string): Target {
    let target = targets.get(origin)
    if (target) return target
    const url = new URL(origin)
    if (url.protocol !== 'http:' || url.pathname !== '/' || url.search || url.username || url.password) {
      throw new Error(`not an http origin: ${origin}`)
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    target = { host, port: url.port ? Number(url.port) : 80, hostHeader: url.host, pool: null }
    if (targets.size >= MAX_ORIGINS_CACHED) targets.clear()
    targets.set(origin, target)
    return target
  }

  return {
    send(request, cancel) {
      if (cancel?.aborted) return Promise.reject(cancel.reason)
      let target: Target
      let bytes: Buffer
      let close: boolean
      try {
        if (pools.closed) throw new Error('the upstream client is closed')
        target = targetOf(request.origin)
        const body = request.body as string | Uint8Array | null
        const encoded = encodeRequest(
          request.method,
          request.path,
          request.headers,
          typeof body === 'string' ? Buffer.from(body) : body,
          target.hostHeader,
        )
        bytes = encoded.bytes
        close = encoded.close
      } catch (error) {
        // Refused before a byte was built: nothing was sent.
        return Promise.reject(
          upstreamTransportError(request.method, request.origin, error as Error, true, false),
        )
      }
      const exchange = new WireExchange(request.method, request.origin, close)
      let pool = target.pool
      if (pool === null || pool.dropped) {
        pool = pools.origin(request.origin, target.host, target.port)
        target.pool = pool
      }
      exchange.waiter = pool.dispatch(exchange, bytes)
      if (cancel) exchange.cleanup = cancel.onAbort((reason) => exchange.abort(reason))
      return exchange.head
    },
    close() {
      pools.close((waiter: Waiter) => (waiter.user as WireExchange).refuse('the upstream client closed'))
      return Promise.resolve()
    },
  }
}

/** One request and its response on a wire connection; also the response body handed to the caller. */
class WireExchange implements ConnectionUser, ResponseEvents, UpstreamResponseBody {
  readonly head: Promise<UpstreamHead>
  cleanup: (() => void) | null = null
  waiter: Waiter | null = null
  readonly #method: string
  readonly #origin: string
  /** The request said `connection: close`. */
  readonly #closeAfter: boolean
  readonly #parser: ResponseParser
  #resolve!: (head: UpstreamHead) => void
  #reject!: (error: unknown) => void
  #connection: Connection | null = null
  #responseStarted = false
  #headed = false
  #keepAlive = false
  #serverTimeoutMs = -1
  #sink: BodySink | null = null
  #buffered: Buffer[] | null = null
  #bufferedBytes = 0
  #ended = false
  #failure: Error | null = null
  #discarded = false
  /** Nothing more reaches the caller: ended, failed, aborted or discarded. */
  #over = false

  constructor(method: string, origin: string, closeAfter: boolean) {
    this.#method = method
    this.#origin = origin
    this.#closeAfter = closeAfter
    this.#parser = new ResponseParser(method, this)
    this.head = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  // ConnectionUser: what the socket reports.

  attached(connection: Connection): void {
    this.waiter = null
    this.#connection = connection
  }

  data(chunk: Buffer): void {
    if (this.#over) return
    this.#responseStarted = true
    try {
      this.#parser.push(chunk)
    } catch (error) {
      this.#fail(error as Error)
      return
    }
    this.#afterParse()
  }

  eof(): void {
    if (this.#over) return
    try {
      this.#parser.eof()
    } catch (error) {
      this.#fail(error as Error)
      return
    }
    this.#afterParse()
  }

  closed(error: Error | null, connected: boolean): void {
    this.#connection = null
    if (this.#over) return
    if (!error && this.#parser.paused) {
      // A body paused with its last bytes held: they are parsed on resume, and the end is known then.
      try {
        this.#parser.eof()
        return
      } catch (failure) {
        error = failure as Error
      }
    }
    this.#fail(error ?? new Error('the connection closed'), !connected)
  }

  // ResponseEvents: what the parser reports.

  onHead(head: ResponseHead): void {
    this.#headed = true
    this.#keepAlive = head.keepAlive
    this.#serverTimeoutMs = head.keepAliveTimeoutMs
    this.#resolve({ status: head.status, statusText: head.statusText, headers: head.headers, body: this })
  }

  onBody(chunk: Buffer): boolean {
    if (this.#discarded) return true
    const sink = this.#sink
    if (sink) return sink.data(chunk)
    if (this.#buffered) this.#buffered.push(chunk)
    else this.#buffered = [chunk]
    this.#bufferedBytes += chunk.byteLength
    return this.#bufferedBytes < BUFFER_BEFORE_CONSUMER
  }

  onEnd(): void {
    this.#ended = true
    this.#over = true
    this.#cleanup()
    if (!this.#discarded) this.#sink?.end()
  }

  // UpstreamResponseBody: what the caller does with the body.

  consume(sink: BodySink): void {
    this.#sink = sink
    const chunks = this.#buffered
    this.#buffered = null
    this.#bufferedBytes = 0
    let flowing = true
    if (chunks) for (const chunk of chunks) flowing = sink.data(chunk) && flowing
    if (this.#failure) sink.error(this.#failure)
    else if (this.#ended) sink.end()
    else if (flowing) this.resume()
    else {
      this.#parser.pause()
      this.#connection?.socket.pause()
    }
  }

  resume(): void {
    const parser = this.#parser
    if (!parser.paused) return
    try {
      parser.resume()
    } catch (error) {
      this.#fail(error as Error)
      return
    }
    this.#afterParse()
    if (!parser.paused) this.#connection?.socket.resume()
  }

  discard(): void {
    if (this.#discarded) return
    this.#discarded = true
    this.#buffered = null
    if (this.#over) return
    this.#over = true
    this.#cleanup()
    this.#dropConnection()
  }

  /** The call's cancellation: the connection is closed; the head rejects, or the body errors. */
  abort(reason: unknown): void {
    if (this.#over) return
    const error = reason instanceof Error ? reason : new Error(String(reason))
    if (this.waiter) this.waiter.cancelled = true
    this.#over = true
    this.#cleanup()
    this.#dropConnection()
    this.#failWith(error)
  }

  /** The client closed while this request waited for a connection: nothing was sent. */
  refuse(message: string): void {
    if (this.#over) return
    this.#over = true
    this.#cleanup()
    this.#failWith(upstreamTransportError(this.#method, this.#origin, new Error(message), true, false))
  }

  // Internals.

  /** After the parser ran: pause the socket if it holds bytes; give the connection back when complete. */
  #afterParse(): void {
    const parser = this.#parser
    const connection = this.#connection
    if (!connection) return
    if (!parser.complete) {
      if (parser.paused) connection.socket.pause()
      return
    }
    this.#connection = null
    connection.user = null
    if (
      this.#keepAlive &&
      !this.#closeAfter &&
      this.#method !== 'HEAD' && // as undici: a HEAD answer may be followed by a body the server should not send
      !parser.extraBytes &&
      connection.flushed
    ) {
      if (connection.socket.isPaused()) connection.socket.resume()
      connection.release(this.#serverTimeoutMs)
    } else connection.destroy()
  }

  #fail(error: Error, beforeSend = false): void {
    if (this.#over) return
    this.#over = true
    this.#cleanup()
    this.#dropConnection()
    this.#failWith(
      upstreamTransportError(this.#method, this.#origin, error, beforeSend, this.#responseStarted),
    )
  }

  #failWith(error: Error): void {
    if (!this.#headed) {
      this.#reject(error)
      return
    }
    this.#failure = error
    if (!this.#discarded) this.#sink?.error(error)
  }

  #dropConnection(): void {
    const connection = this.#connection
    this.#connection = null
    if (!connection) return
    connection.user = null
    connection.destroy()
  }

  #cleanup(): void {
    const cleanup = this.cleanup
    this.cleanup = null
    cleanup?.()
  }
}
