/**
 * @module
 * The fast door's response: what the native invoker writes an answer to (`CallerResponse`), written
 * straight to the connection's socket. On the wire it is what node:http's `ServerResponse` writes for the
 * same calls (test/runtime/wire-door.test.ts compares them byte for byte): the status line with the
 * standard reason phrase, the given headers in order (validated as node validates them, so a value node
 * refuses throws here too), `Date` cached per second, `Connection: keep-alive` + `Keep-Alive: timeout=N`
 * or `Connection: close`, `Content-Length` when given, else chunked framing; no body for HEAD, 204, 304.
 * The head goes out with the first body bytes, in one write when the body is known whole.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { CallerResponse } from '../../caller-response.ts'
import { isFieldValue, isToken } from '../field-chars.ts'

/** What a response needs of its connection. */
export interface ResponseOwner {
  readonly socket: Socket
  /** server.keepAliveTimeout: `Keep-Alive: timeout=` its floor in seconds; 0: no such header. */
  keepAliveMs(): number
  /** The response's last bytes were handed to the socket (or it was destroyed). */
  responseEnded(response: WireResponse, keepAlive: boolean): void
}

const CRLF = '\r\n'
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1')
/** A body chunk up to this size is copied behind the head into one buffer; a larger one goes by writev. */
const COPY_LIMIT = 16 * 1024

export class WireResponse implements CallerResponse {
  /** As `ServerResponse.shouldKeepAlive`: false before writeHead makes this the connection's last answer. */
  shouldKeepAlive: boolean
  headersSent = false
  destroyed = false
  writableFinished = false
  readonly #owner: ResponseOwner
  readonly #hasBodyMethod: boolean
  #head = ''
  #hasBody = true
  #chunked = false
  #ended = false
  #closeListeners: Array<() => void> | null = null
  #drainListeners: Array<() => void> | null = null
  readonly #flushed = (error?: Error | null) => (error ? this.socketClosed() : this.#finished())

  constructor(owner: ResponseOwner, keepAlive: boolean, head: boolean) {
    this.#owner = owner
    this.shouldKeepAlive = keepAlive
    this.#hasBodyMethod = !head
  }

  writeHead(status: number, headers: readonly string[]): this {
    if (this.headersSent) throw new Error('Cannot write headers after they are sent to the client')
    if (headers.length % 2 !== 0) throw new TypeError('headers must be a flat [name, value…] list')
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}${CRLF}`
    let contentLength = false
    let transferEncoding = false
    let date = false
    let connection = false
    let keepAliveHeader = false
    let last = false
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!
      const value = headers[i + 1]!
      if (typeof name !== 'string' || !isToken(name)) throw new TypeError(`invalid header name ${name}`)
      // node:http's strict value check (lib/_http_common.js `checkInvalidHeaderChar`) is this same class.
      if (typeof value !== 'string' || !isFieldValue(value)) {
        throw new TypeError(`invalid character in header content ["${name}"]`)
      }
      head += `${name}: ${value}${CRLF}`
      if (name.length < 4 || name.length > 17) continue
      switch (name.toLowerCase()) {
        case 'content-length':
          contentLength = true
          break
        case 'transfer-encoding':
          transferEncoding = true
          if (/(?:^|\W)chunked(?:$|\W)/i.test(value)) this.#chunked = true
          break
        case 'date':
          date = true
          break
        case 'connection':
          connection = true
          if (/(?:^|\W)close(?:$|\W)/i.test(value)) last = true
          else this.shouldKeepAlive = true
          break
        case 'keep-alive':
          keepAliveHeader = true
          break
      }
    }
    if (!date) head += `Date: ${utcDate()}${CRLF}`
    const bodiless = status === 204 || status === 304 || (status >= 100 && status <= 199)
    if (bodiless || !this.#hasBodyMethod) this.#hasBody = false
    if (this.#chunked && (status === 204 || status === 304)) {
      this.#chunked = false
      this.shouldKeepAlive = false
    }
    if (!connection) {
      if (this.shouldKeepAlive) {
        head += `Connection: keep-alive${CRLF}`
        const ms = this.#owner.keepAliveMs()
        if (ms && !keepAliveHeader) head += `Keep-Alive: timeout=${Math.floor(ms / 1000)}${CRLF}`
      } else {
        last = true
        head += `Connection: close${CRLF}`
      }
    }
    if (last) this.shouldKeepAlive = false
    if (!contentLength && !transferEncoding && this.#hasBody) {
      head += `Transfer-Encoding: chunked${CRLF}`
      this.#chunked = true
    } else if (!contentLength && !transferEncoding) {
      this.#chunked = false
    }
    this.#head = head + CRLF
    this.headersSent = true
    return this
  }

  write(chunk: Uint8Array): boolean {
    if (this.#ended || this.destroyed) return false
    if (!this.#hasBody) return this.#flushHead()
    if (chunk.byteLength === 0) return this.#flushHead()
    return this.#send(chunk, false)
  }

  end(chunk?: Uint8Array | string): this {
    if (this.#ended) return this
    this.#ended = true
    if (this.destroyed) return this
    const body =
      !this.#hasBody || chunk === undefined
        ? null
        : typeof chunk === 'string'
          ? Buffer.from(chunk)
          : (chunk as Buffer)
    if (body && body.byteLength > 0) this.#send(body, true)
    else if (this.#chunked) this.#write(LAST_CHUNK, true)
    else this.#write(null, true)
    this.#owner.responseEnded(this, this.shouldKeepAlive)
    return this
  }

  destroy(): this {
    if (this.destroyed) return this
    this.#owner.socket.destroy()
    return this
  }

  once(event: 'drain' | 'close', listener: () => void): this {
    return this.on(event, listener)
  }

  on(event: 'drain' | 'close', listener: () => void): this {
    if (event === 'close') {
      if (this.#closeListeners) this.#closeListeners.push(listener)
      else this.#closeListeners = [listener]
    } else if (this.#drainListeners) this.#drainListeners.push(listener)
    else this.#drainListeners = [listener]
    return this
  }

  /** The socket drained: `drain` listeners run once, as `once('drain')` registered them. */
  drained(): void {
    const listeners = this.#drainListeners
    if (!listeners) return
    this.#drainListeners = null
    for (const listener of listeners) listener.call(this)
  }

  /** The connection closed before the end was written (the caller left, or the response was destroyed). */
  socketClosed(): void {
    if (this.writableFinished || this.destroyed) return
    this.destroyed = true
    this.#emitClose()
  }

  /** The head, first body bytes and (when last) the chunked terminator as one write where small. */
  #send(chunk: Uint8Array, last: boolean): boolean {
    if (!this.#chunked) return this.#write(chunk, last)
    const size = `${chunk.byteLength.toString(16)}${CRLF}`
    const socket = this.#owner.socket
    const head = this.#head
    this.#head = ''
    const tail = last ? `${CRLF}0${CRLF}${CRLF}` : CRLF
    if (chunk.byteLength <= COPY_LIMIT) {
      const prefix = head + size
      const out = Buffer.allocUnsafe(prefix.length + chunk.byteLength + tail.length)
      out.write(prefix, 0, 'latin1')
      out.set(chunk, prefix.length)
      out.write(tail, prefix.length + chunk.byteLength, 'latin1')
      return socket.write(out, last ? this.#flushed : undefined)
    }
    socket.cork()
    socket.write(head + size, 'latin1')
    socket.write(chunk)
    const flowing = socket.write(tail, 'latin1', last ? this.#flushed : undefined)
    socket.uncork()
    return flowing
  }

  /** Writes the head if still unsent, then `chunk` (null: none). */
  #write(chunk: Uint8Array | null, last: boolean): boolean {
    const socket = this.#owner.socket
    const head = this.#head
    const done = last ? this.#flushed : undefined
    if (head === '') return chunk ? socket.write(chunk, done) : socket.write(EMPTY, done)
    this.#head = ''
    if (!chunk) return socket.write(head, 'latin1', done)
    if (chunk.byteLength <= COPY_LIMIT) {
      const out = Buffer.allocUnsafe(head.length + chunk.byteLength)
      out.write(head, 0, 'latin1')
      out.set(chunk, head.length)
      return socket.write(out, done)
    }
    socket.cork()
    socket.write(head, 'latin1')
    const flowing = socket.write(chunk, done)
    socket.uncork()
    return flowing
  }

  #flushHead(): boolean {
    if (this.#head === '') return true
    return this.#write(null, false)
  }

  #finished(): void {
    if (this.writableFinished || this.destroyed) return
    this.writableFinished = true
    this.#emitClose()
  }

  #emitClose(): void {
    this.#drainListeners = null
    const listeners = this.#closeListeners
    if (!listeners) return
    this.#closeListeners = null
    for (const listener of listeners) listener.call(this)
  }
}

const EMPTY = Buffer.alloc(0)

let cachedDate = ''

/** The Date header's value, built once a second as node:http does (lib/internal/http.js `utcDate`). */
function utcDate(): string {
  if (cachedDate === '') {
    const now = new Date()
    cachedDate = now.toUTCString()
    setTimeout(resetDate, 1000 - now.getUTCMilliseconds()).unref()
  }
  return cachedDate
}

function resetDate(): void {
  cachedDate = ''
}
