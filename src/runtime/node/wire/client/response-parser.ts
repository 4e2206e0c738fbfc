/**
 * @module
 * A strict, incremental HTTP/1.1 response parser for the wire client (wire-client.ts): bytes in as the
 * socket delivers them, split anywhere; out come one head and the body's bytes, decoded of their
 * framing (RFC 9112 §6.3), with backpressure (a `body` callback returning false holds the rest).
 *
 * Strict where a lenient parser lets one side of a proxy read a message differently from the other
 * (response splitting, smuggling): every line ends in CRLF (bare LF and bare CR are errors, as llhttp with
 * undici's flags has them); no obs-fold, no whitespace before the colon; values without CTLs (HTAB
 * aside), NUL or DEL; one head at most {@link MAX_HEAD_BYTES}; a status of three digits from 100;
 * Content-Length digits only, repeated only with the same value; `Transfer-Encoding` only on HTTP/1.1,
 * `chunked` at most once. Anything else is a {@link WireProtocolError} and the connection is not used
 * again. Where the RFC lets a client choose, it follows the RFC over llhttp: Transfer-Encoding wins over
 * a Content-Length (which is removed from the headers handed on, as an intermediary must) and the
 * connection is not reused; 1xx interim answers (100, 103) are skipped.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { FIELD_VALUE, TOKEN } from '../field-chars.ts'
import { parseChunkSize } from './chunked-size.ts'
import { headerName } from './header-names.ts'

/** undici's default maximum header size (Node's `http.maxHeaderSize`): status line and fields. */
export const MAX_HEAD_BYTES = 16 * 1024
/** 1xx answers skipped before the final one; a server that sends more is not answering. */
const MAX_INTERIM_HEADS = 16
/** A chunk-size line with its extensions. */
const MAX_CHUNK_LINE_BYTES = 4 * 1024

const CR = 0x0d
const LF = 0x0a
const SP = 0x20
const HTAB = 0x09

/** A malformed response: the connection it came on is not used again. */
export class WireProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WireProtocolError'
  }
}

export type Framing = 'none' | 'length' | 'chunked' | 'close'

export interface ResponseHead {
  status: number
  statusText: string
  /** Lower-case names; a repeated header an array; values Latin-1, trimmed of OWS. */
  headers: IncomingHttpHeaders
  framing: Framing
  /** The declared length for `length` framing, else -1. */
  contentLength: number
  /** The head lets the connection carry another exchange (HTTP version, `Connection`, framing). */
  keepAlive: boolean
  /** The server's `Keep-Alive: timeout=N` in ms, or -1 when it said none. */
  keepAliveTimeoutMs: number
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void
  /** A piece of the decoded body; false asks the parser to hold the rest until `resume()`. */
  onBody(chunk: Buffer): boolean
  /** The message is complete (the body, if any, fully delivered). */
  onEnd(): void
}

/** Where the parser is (numbers, not an enum: type stripping only). */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkDataCR: 4,
  ChunkDataLF: 5,
  Trailers: 6,
  Close: 7,
  Done: 8,
  Failed: 9,
} as const
type State = (typeof State)[keyof typeof State]

const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i

export class ResponseParser {
  /** Bytes arrived after the message was complete (a misbehaving server): the socket must not be reused. */
  extraBytes = false
  readonly #events: ResponseEvents
  readonly #headRequest: boolean
  #state: State = State.Head
  /** The unparsed start of an incomplete line (head, chunk size or trailer). */
  #partial: Buffer | null = null
  /** Bytes of the current head (or of the trailers) consumed so far. */
  #headBytes = 0
  #interim = 0
  #firstLine = true
  #minor = 1
  #status = 0
  #statusText = ''
  #headers: IncomingHttpHeaders = headersObject()
  #contentLength = -1
  #transferEncoding: string | null = null
  #connection: string | null = null
  #keepAlive: string | null = null
  #remaining = 0
  /** Bytes not yet parsed because the body's consumer asked to pause. */
  #held: Buffer | null = null
  #paused = false
  #eof = false

  constructor(method: string, events: ResponseEvents) {
    this.#events = events
    this.#headRequest = method === 'HEAD'
  }

  get complete(): boolean {
    return this.#state === State.Done
  }

  get paused(): boolean {
    return this.#paused
  }

  /** Parses `data`; throws {@link WireProtocolError} on a malformed response. */
  push(data: Buffer): void {
    if (this.#paused) {
      this.#held = this.#held ? Buffer.concat([this.#held, data]) : data
      return
    }
    this.#execute(data)
  }

  /** Holds further bytes until `resume()` (the body's consumer asked to pause between callbacks). */
  pause(): void {
    if (this.#state !== State.Done && this.#state !== State.Failed) this.#paused = true
  }

  /** Continues after a `body` callback returned false, or `pause()`. */
  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    const held = this.#held
    this.#held = null
    if (held) this.#execute(held)
    if (!this.#paused && this.#eof) this.#finishAtEof()
  }

  /**
   * The connection ended: completes a body read until close; throws {@link WireProtocolError} when
   * the message was cut short. Held bytes are parsed first (on `resume`).
   */
  eof(): void {
    this.#eof = true
    if (!this.#paused) this.#finishAtEof()
  }

  #finishAtEof(): void {
    if (this.#state === State.Done) return
    if (this.#state === State.Close) {
      this.#state = State.Done
      this.#events.onEnd()
      return
    }
    const before = this.#state === State.Head && this.#firstLine && this.#interim === 0
    this.#state = State.Failed
    throw new WireProtocolError(
      before ? 'the connection closed before a response' : 'the connection closed before the response ended',
    )
  }

  #execute(buf: Buffer): void {
    let pos = 0
    const length = buf.length
    while (pos < length) {
      switch (this.#state) {
        case State.Head: {
          const next = this.#takeLine(buf, pos, MAX_HEAD_BYTES, 'response head')
          if (next === -1) return
          pos = next
          break
        }
        case State.Length: {
          const take = Math.min(this.#remaining, length - pos)
          const chunk = buf.subarray(pos, pos + take)
          pos += take
          this.#remaining -= take
          const more = this.#events.onBody(chunk)
          if (this.#remaining === 0) this.#complete()
          if (!more) {
            this.#pause(buf, pos)
            return
          }
          break
        }
        case State.ChunkSize:
        case State.Trailers: {
          const limit = this.#state === State.Trailers ? MAX_HEAD_BYTES : MAX_CHUNK_LINE_BYTES
          const next = this.#takeLine(
            buf,
            pos,
            limit,
            this.#state === State.Trailers ? 'trailer' : 'chunk size',
          )
          if (next === -1) return
          pos = next
          break
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, length - pos)
          const chunk = buf.subarray(pos, pos + take)
          pos += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#state = State.ChunkDataCR
          if (!this.#events.onBody(chunk)) {
            this.#pause(buf, pos)
            return
          }
          break
        }
        case State.ChunkDataCR:
          if (buf[pos++] !== CR) this.#fail('a chunk of data was not followed by CRLF')
          this.#state = State.ChunkDataLF
          break
        case State.ChunkDataLF:
          if (buf[pos++] !== LF) this.#fail('a chunk of data was not followed by CRLF')
          this.#state = State.ChunkSize
          break
        case State.Close: {
          const chunk = pos === 0 ? buf : buf.subarray(pos)
          pos = length
          if (!this.#events.onBody(chunk)) {
            this.#pause(buf, pos)
            return
          }
          break
        }
        case State.Done:
          this.extraBytes = true
          return
        default:
          return
      }
    }
  }

  #pause(buf: Buffer, pos: number): void {
    if (this.#state === State.Done) {
      if (pos < buf.length) this.extraBytes = true
      return
    }
    this.#paused = true
    if (pos < buf.length) this.#held = buf.subarray(pos)
  }

  /**
   * Takes one CRLF-terminated line starting at `pos` (after any partial line kept from before) and
   * handles it; returns the position after it, or -1 when the line is not complete yet (kept).
   */
  #takeLine(buf: Buffer, pos: number, limit: number, what: string): number {
    let source = buf
    let start = pos
    let lf = buf.indexOf(LF, pos)
    const partial = this.#partial
    if (partial) {
      if (lf === -1) {
        const grown = Buffer.concat([partial, buf.subarray(pos)])
        if (this.#headBytes + grown.length > limit) this.#fail(`the ${what} is longer than ${limit} bytes`)
        this.#partial = grown
        return -1
      }
      source = Buffer.concat([partial, buf.subarray(pos, lf + 1)])
      this.#partial = null
      start = 0
      const next = lf + 1
      lf = source.length - 1
      this.#line(source, start, lf, limit, what)
      return next
    }
    if (lf === -1) {
      if (this.#headBytes + buf.length - pos > limit) this.#fail(`the ${what} is longer than ${limit} bytes`)
      this.#partial = pos === 0 ? buf : buf.subarray(pos)
      return -1
    }
    this.#line(source, start, lf, limit, what)
    return lf + 1
  }

  /** One complete line `[start, lf]` of `b`, LF at `lf`. */
  #line(b: Buffer, start: number, lf: number, limit: number, what: string): void {
    const end = lf - 1
    if (end < start || b[end] !== CR) this.#fail(`a line of the ${what} ends in a bare LF`)
    this.#headBytes += lf + 1 - start
    if (this.#headBytes > limit) this.#fail(`the ${what} is longer than ${limit} bytes`)
    switch (this.#state) {
      case State.Head:
        if (this.#firstLine) {
          this.#firstLine = false
          this.#statusLine(b, start, end)
        } else if (end === start) this.#endOfHead()
        else this.#field(b, start, end, true)
        return
      case State.ChunkSize: {
        const size = parseChunkSize(b, start, end)
        if (size < 0) this.#fail('invalid chunk size line')
        this.#headBytes = 0
        if (size === 0) this.#state = State.Trailers
        else {
          this.#remaining = size
          this.#state = State.ChunkData
        }
        return
      }
      case State.Trailers:
        if (end === start) this.#complete()
        else this.#field(b, start, end, false)
        return
    }
  }

  /** `HTTP/1.x NNN reason`; the reason may be empty, or absent with its space. */
  #statusLine(b: Buffer, s: number, e: number): void {
    if (
      e - s < 12 ||
      b[s] !== 0x48 || // H
      b[s + 1] !== 0x54 || // T
      b[s + 2] !== 0x54 || // T
      b[s + 3] !== 0x50 || // P
      b[s + 4] !== 0x2f || // /
      b[s + 5] !== 0x31 || // 1
      b[s + 6] !== 0x2e || // .
      !isDigit(b[s + 7]!) ||
      b[s + 8] !== SP ||
      !isDigit(b[s + 9]!) ||
      !isDigit(b[s + 10]!) ||
      !isDigit(b[s + 11]!) ||
      (e > s + 12 && b[s + 12] !== SP)
    )
      this.#fail('invalid status line (expected HTTP/1.x and a three-digit status)')
    this.#minor = b[s + 7]! - 0x30
    const status = (b[s + 9]! - 0x30) * 100 + (b[s + 10]! - 0x30) * 10 + (b[s + 11]! - 0x30)
    if (status < 100) this.#fail(`invalid status ${status}`)
    for (let i = s + 13; i < e; i++)
      if (FIELD_VALUE[b[i]!] === 0) this.#fail('invalid byte in the reason phrase')
    this.#status = status
    this.#statusText = e > s + 13 ? b.toString('latin1', s + 13, e) : ''
  }

  /** `name: OWS value OWS`, a header (kept) or a trailer (checked, dropped). */
  #field(b: Buffer, s: number, e: number, keep: boolean): void {
    let i = s
    while (i < e && TOKEN[b[i]!] === 1) i++
    if (i === s) {
      this.#fail(
        b[s] === SP || b[s] === HTAB ? 'obs-fold (a line starting with whitespace)' : 'invalid header name',
      )
    }
    if (i === e || b[i] !== 0x3a) this.#fail('invalid header name')
    const nameEnd = i
    i++
    while (i < e && (b[i] === SP || b[i] === HTAB)) i++
    const valueStart = i
    for (; i < e; i++) if (FIELD_VALUE[b[i]!] === 0) this.#fail('invalid byte in a header value')
    let valueEnd = e
    while (valueEnd > valueStart && (b[valueEnd - 1] === SP || b[valueEnd - 1] === HTAB)) valueEnd--
    if (!keep) return
    const name = headerName(b, s, nameEnd)
    const value = valueStart === valueEnd ? '' : b.toString('latin1', valueStart, valueEnd)
    switch (name) {
      case 'content-length': {
        const length = contentLengthOf(value)
        if (length < 0) this.#fail(`invalid Content-Length ${JSON.stringify(value)}`)
        if (this.#contentLength !== -1) {
          if (length !== this.#contentLength) this.#fail('several different Content-Length values')
          return // the same value again: one header
        }
        this.#contentLength = length
        break
      }
      case 'transfer-encoding':
        this.#transferEncoding =
          this.#transferEncoding === null ? value : `${this.#transferEncoding},${value}`
        break
      case 'connection':
        this.#connection = this.#connection === null ? value : `${this.#connection},${value}`
        break
      case 'keep-alive':
        this.#keepAlive = value
        break
    }
    addHeader(this.#headers, name, value)
  }

  #endOfHead(): void {
    const status = this.#status
    if (status < 200) {
      if (status === 101) this.#fail('the server switched protocols (101), which this client never asks for')
      // An interim answer (100 Continue, 103 Early Hints): the final head follows.
      if (++this.#interim > MAX_INTERIM_HEADS)
        this.#fail(`more than ${MAX_INTERIM_HEADS} interim (1xx) answers`)
      this.#resetHead()
      return
    }
    const headers = this.#headers
    let keepAlive = connectionAllowsReuse(this.#minor, this.#connection)
    let framing: Framing
    let contentLength = -1
    const te = this.#transferEncoding
    if (te !== null && this.#minor === 0) this.#fail('Transfer-Encoding on an HTTP/1.0 response')
    if (this.#headRequest || status === 204 || status === 304) {
      framing = 'none'
      // Content on a 204/304 would be read as the next response: answered, but not reused (as undici).
      if (!this.#headRequest && (this.#contentLength > 0 || te !== null)) keepAlive = false
    } else if (te !== null) {
      framing = chunkedLast(te) ? 'chunked' : 'close'
      if (framing === 'close') keepAlive = false
      if (this.#contentLength !== -1) {
        // RFC 9112 §6.3: Transfer-Encoding overrides; the length is dropped and the connection closed.
        delete headers['content-length']
        keepAlive = false
      }
    } else if (this.#contentLength !== -1) {
      framing = this.#contentLength === 0 ? 'none' : 'length'
      contentLength = this.#contentLength
    } else {
      framing = 'close'
      keepAlive = false
    }
    let keepAliveTimeoutMs = -1
    if (this.#keepAlive !== null) {
      const match = KEEP_ALIVE_TIMEOUT.exec(this.#keepAlive)
      if (match) keepAliveTimeoutMs = Number(match[1]) * 1000
    }
    this.#events.onHead({
      status,
      statusText: this.#statusText,
      headers,
      framing,
      contentLength,
      keepAlive,
      keepAliveTimeoutMs,
    })
    this.#headBytes = 0
    switch (framing) {
      case 'none':
        this.#complete()
        return
      case 'length':
        this.#remaining = contentLength
        this.#state = State.Length
        return
      case 'chunked':
        this.#state = State.ChunkSize
        return
      case 'close':
        this.#state = State.Close
    }
  }

  #resetHead(): void {
    this.#firstLine = true
    this.#headBytes = 0
    this.#headers = headersObject()
    this.#contentLength = -1
    this.#transferEncoding = null
    this.#connection = null
    this.#keepAlive = null
  }

  #complete(): void {
    this.#state = State.Done
    this.#events.onEnd()
  }

  #fail(message: string): never {
    this.#state = State.Failed
    throw new WireProtocolError(message)
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Digits only (no sign, no list, no spaces inside), within a safe integer; else -1. */
function contentLengthOf(value: string): number {
  if (value.length === 0 || value.length > 15) return -1
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return -1
    n = n * 10 + (c - 0x30)
  }
  return n
}

/**
 * True when `chunked` is the final coding. `chunked` twice is an error (it is applied at most once);
 * `chunked` before another coding means the length is unknown (read until close).
 */
function chunkedLast(te: string): boolean {
  const codings = te.split(',')
  let chunked = -1
  let last = -1
  for (let i = 0; i < codings.length; i++) {
    const coding = codings[i]!.trim().toLowerCase()
    if (coding === '') continue
    last = i
    if (coding === 'chunked') {
      if (chunked !== -1) throw new WireProtocolError('Transfer-Encoding applies chunked more than once')
      chunked = i
    }
  }
  return chunked !== -1 && chunked === last
}

/** HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`. */
function connectionAllowsReuse(minor: number, connection: string | null): boolean {
  if (connection === null) return minor >= 1
  // What servers send nearly always, without a split: Node sends `keep-alive`, Go `close`.
  if (connection === 'keep-alive' || connection === 'Keep-Alive') return true
  if (connection === 'close' || connection === 'Close') return false
  let close = false
  let keepAlive = false
  for (const option of connection.split(',')) {
    const token = option.trim().toLowerCase()
    if (token === 'close') close = true
    else if (token === 'keep-alive') keepAlive = true
  }
  if (close) return false
  return minor >= 1 || keepAlive
}

/**
 * A plain object (fast, shared hidden classes); names that are Object.prototype members are handled in
 * addHeader so a header named `__proto__`, `constructor` or `toString` is just a header.
 */
function headersObject(): IncomingHttpHeaders {
  return {}
}

/** Adds to a headers object: a repeated name becomes an array (as undici gives it). */
function addHeader(headers: IncomingHttpHeaders, name: string, value: string): void {
  // Own properties only: `headers.constructor` would otherwise read Object.prototype's.
  const existing = Object.hasOwn(headers, name) ? headers[name] : undefined
  const next = existing === undefined ? value : typeof existing === 'string' ? [existing, value] : existing
  if (next === existing) (existing as string[]).push(value)
  else if (name === '__proto__') {
    // Assigning would set the prototype (an array) instead of adding a header.
    Object.defineProperty(headers, name, {
      value: next,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else headers[name] = next
}
