/**
 * @module
 * One connection on the fast door: reads requests of the subset (parse-request.ts) straight off the
 * socket, one at a time, and hands each to the door's invoker with a raw-socket response
 * (response.ts). The first request outside the subset, or one whose target the door does not serve,
 * hands the connection to node:http for the rest of its life, once no fast request is in flight: the
 * bytes read and not yet used go to node:http's parser first, ahead of anything the socket reads later.
 *
 * Timeouts as node:http keeps them: an idle keep-alive connection is closed after
 * `keepAliveTimeout + keepAliveTimeoutBuffer`; a request whose head is not complete within
 * `headersTimeout`, or whose body is not within `requestTimeout`, gets node's 408 and the connection
 * is closed.
 */
import type { Socket } from 'node:net'
import { socketAddress } from '../../client-address.ts'
import { WholeBody } from '../../native-async.ts'
import type { WireDoor, WireRoute } from './door.ts'
import { OTHER, PARTIAL, parseRequest, type WireRequest } from './parse-request.ts'
import { type ResponseOwner, WireResponse } from './response.ts'

/** Pipelined bytes kept while a request is in flight before the socket stops reading. */
const PIPELINE_LIMIT = 64 * 1024
/**
 * Reads one request may take before node:http takes the connection. The door re-parses a partial request
 * from its start on each read; node:http's parser is incremental, so a request cut into many small reads
 * (a slow or hostile client) is left to it rather than re-scanned many times.
 */
const MAX_READS_PER_REQUEST = 8

/** node:http's answer to a request that took too long to arrive (lib/_http_server.js). */
const REQUEST_TIMEOUT_RESPONSE = Buffer.from(
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  'latin1',
)

export class WireConnection implements ResponseOwner {
  readonly socket: Socket
  readonly #door: WireDoor
  /** Bytes received and not yet parsed; null when none. */
  #buffer: Buffer | null = null
  /** Bytes received while a request is in flight, joined to `#buffer` once it is answered. */
  #pending: Buffer[] = []
  #pendingBytes = 0
  /** Reads the request at the head of the buffer has taken so far. */
  #reads = 0
  #inFlight: WireResponse | null = null
  #clientAddress: string | undefined
  #handedOff = false
  #idleTimer: NodeJS.Timeout | null = null
  #partialTimer: NodeJS.Timeout | null = null
  /** When the request still arriving began (performance.now()); -1 when none is partial. */
  #partialSince = -1
  readonly #onData = (chunk: Buffer) => this.#received(chunk)
  readonly #onEnd = () => this.#ended()
  readonly #onClose = () => this.#closed()
  readonly #onError = () => this.socket.destroy()
  readonly #onDrain = () => this.#inFlight?.drained()

  constructor(socket: Socket, door: WireDoor) {
    this.socket = socket
    this.#door = door
    this.#clientAddress = socketAddress(socket)
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
    socket.on('close', this.#onClose)
    socket.on('error', this.#onError)
    socket.on('drain', this.#onDrain)
    // A connection that never sends a whole request is closed as node:http closes it (headersTimeout).
    this.#armPartial()
  }

  /** No request in flight and none partly received (what node:http's closeIdleConnections closes). */
  get idle(): boolean {
    return this.#inFlight === null && this.#buffer === null && this.#pendingBytes === 0
  }

  keepAliveMs(): number {
    return this.#door.server.keepAliveTimeout
  }

  responseEnded(response: WireResponse, keepAlive: boolean): void {
    if (this.#inFlight !== response) return
    this.#inFlight = null
    if (!keepAlive) {
      this.socket.destroySoon()
      return
    }
    if (this.socket.isPaused()) this.socket.resume()
    // Pipelined requests are read after this one's answer, outside the writer that ended it.
    if (this.#buffer || this.#pendingBytes > 0) setImmediate(() => this.#drive())
    else this.#armIdle()
  }

  #received(chunk: Buffer): void {
    if (this.#inFlight) {
      // Kept as they come (no copy per read), joined when the answer in flight is written.
      this.#pending.push(chunk)
      this.#pendingBytes += chunk.byteLength
      if (this.#pendingBytes > PIPELINE_LIMIT) this.socket.pause()
      return
    }
    const buffer = this.#buffer
    this.#buffer = buffer === null ? chunk : Buffer.concat([buffer, chunk])
    this.#reads++
    this.#drive()
  }

  /** Takes the requests in the buffer until one is in flight, more bytes are needed, or node:http takes over. */
  #drive(): void {
    if (this.#pendingBytes > 0) this.#takePending()
    while (this.#buffer !== null && this.#inFlight === null && !this.#handedOff) {
      const buffer = this.#buffer
      const parsed = parseRequest(buffer, 0, this.#door.limits)
      if (parsed === PARTIAL) {
        if (this.#reads > MAX_READS_PER_REQUEST) this.#handOff()
        else this.#armPartial()
        return
      }
      const route = parsed === OTHER ? null : this.#door.route(parsed.method, parsed.target, parsed.host)
      if (parsed === OTHER || route === null) {
        this.#handOff()
        return
      }
      if (!parsed.complete) {
        // An invocation whose body is still arriving.
        if (this.#reads > MAX_READS_PER_REQUEST) this.#handOff()
        else this.#armPartial()
        return
      }
      this.#buffer = parsed.length === buffer.length ? null : buffer.subarray(parsed.length)
      // What is left arrived with this request's last read: the next request starts with one read.
      this.#reads = this.#buffer === null ? 0 : 1
      this.#partialSince = -1
      this.#dispatch(parsed, route)
    }
  }

  #dispatch(request: WireRequest, route: WireRoute): void {
    const { pathname, search } = route
    const response = new WireResponse(this, request.keepAlive, request.method === 'HEAD')
    this.#inFlight = response
    const hooks = this.#door.hooks
    for (let i = 0; i < hooks.length; i++) hooks[i]!(response)
    const submitAsync = this.#door.submitAsync
    if (route.async && submitAsync) {
      const caller = { rawHeaders: request.rawHeaders, body: new WholeBody(request.body) }
      submitAsync(caller, response, pathname, search)
      return
    }
    this.#door.invoke(
      {
        method: request.method,
        rawHeaders: request.rawHeaders,
        clientAddress: this.#clientAddress,
        body: request.body,
      },
      response,
      pathname,
      search,
    )
  }

  /**
   * node:http takes the connection: its own connection listener is run on the socket (lib/_http_server.js
   * `connectionListenerInternal`: it then reads every later byte through its parser's native consumer,
   * `parser.consume(socket._handle)`, never through the stream), then the bytes this door read and did
   * not use are handed to the `data` handler it installed, synchronously, so they reach its parser before
   * the event loop can deliver a later read natively. (`socket.unshift` before the listener passes the
   * same tests: the stream flushes its buffer to that handler on the next tick, ahead of the next read;
   * but that order rests on tick scheduling, this one does not.) Like bytes of a socket node:http reads
   * through its stream (TLS), they are parsed from JavaScript: no microtask runs between two requests of
   * that one chunk.
   */
  #handOff(): void {
    this.#handedOff = true
    this.#door.forget(this)
    this.#clearTimers()
    const { socket } = this
    socket.removeListener('data', this.#onData)
    socket.removeListener('end', this.#onEnd)
    socket.removeListener('close', this.#onClose)
    socket.removeListener('error', this.#onError)
    socket.removeListener('drain', this.#onDrain)
    if (this.#pendingBytes > 0) this.#takePending()
    const chunks: Buffer[] = this.#buffer ? [this.#buffer] : []
    this.#buffer = null
    // Anything the stream holds (read while paused) follows what was already taken off it.
    for (let more = socket.read() as Buffer | null; more !== null; more = socket.read() as Buffer | null) {
      chunks.push(more)
    }
    this.#door.handOff(socket)
    if (socket.destroyed) return
    if (chunks.length > 0) socket.emit('data', chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    if (socket.isPaused()) socket.resume()
  }

  /**
   * The peer ended its side: this side is ended too, as node:http does (`httpAllowHalfOpen` false), so
   * a caller that left mid-call is seen as gone once the socket closes, and its call is abandoned. A
   * request still arriving goes to node:http with the end, which it answers as it always does (a 400).
   */
  #takePending(): void {
    const pending = this.#pending
    if (this.#buffer) pending.unshift(this.#buffer)
    this.#buffer = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
    this.#pending = []
    this.#pendingBytes = 0
    this.#reads = 1
  }

  #ended(): void {
    if (this.#buffer !== null && this.#inFlight === null) {
      // A request cut off by the end: node:http's parser gets it and the end, and answers as it does.
      const { socket } = this
      this.#handOff()
      if (!socket.destroyed) socket.emit('end')
      return
    }
    this.socket.end()
  }

  #closed(): void {
    this.#door.forget(this)
    this.#clearTimers()
    const response = this.#inFlight
    this.#inFlight = null
    this.#buffer = null
    this.#pending = []
    this.#pendingBytes = 0
    response?.socketClosed()
  }

  #armIdle(): void {
    const timeout = this.#door.idleTimeoutMs()
    if (timeout <= 0) return
    if (this.#idleTimer) this.#idleTimer.refresh()
    else this.#idleTimer = setTimeout(() => this.#idleExpired(), timeout).unref()
  }

  /** Fires `keepAliveTimeout` after the connection last became idle; a connection busy since is kept. */
  #idleExpired(): void {
    if (this.idle) this.socket.destroy()
  }

  /** A request began arriving: it must be whole within node's headersTimeout / requestTimeout. */
  #armPartial(): void {
    if (this.#partialSince !== -1) return
    this.#partialSince = performance.now()
    const { headersMs, requestMs } = this.#door.requestTimeouts()
    const first = headersMs > 0 ? headersMs : requestMs
    if (first <= 0) return
    if (this.#partialTimer) clearTimeout(this.#partialTimer)
    this.#partialTimer = setTimeout(() => this.#partialExpired(), first).unref()
  }

  #partialExpired(): void {
    this.#partialTimer = null
    if (this.#partialSince === -1 || this.#inFlight || this.#handedOff) return
    const waited = performance.now() - this.#partialSince
    const { headersMs, requestMs } = this.#door.requestTimeouts()
    const headComplete = this.#buffer !== null && this.#buffer.indexOf('\r\n\r\n') !== -1
    const limit = headComplete || headersMs <= 0 ? requestMs : headersMs
    if (limit > 0 && waited >= limit) {
      this.socket.write(REQUEST_TIMEOUT_RESPONSE)
      this.socket.destroySoon()
      return
    }
    if (limit > 0) this.#partialTimer = setTimeout(() => this.#partialExpired(), limit - waited).unref()
  }

  #clearTimers(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    if (this.#partialTimer) clearTimeout(this.#partialTimer)
    this.#idleTimer = null
    this.#partialTimer = null
  }
}
