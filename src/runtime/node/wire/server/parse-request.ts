/**
 * @module
 * The fast door's request parser: recognises one HTTP/1.1 request of a deliberately narrow subset at
 * the start of a buffer, or says it is not one. It never answers an error itself: a request outside the
 * subset (anything odd, hostile or merely unusual) is left, byte for byte, to node:http's llhttp, which
 * parses and answers it exactly as it does with the fast door off. So the subset must be one on which
 * llhttp agrees with this parser on every byte, and is kept small:
 * - request line `METHOD SP target SP HTTP/1.1 CRLF`, METHOD one of {@link METHODS} (llhttp knows them;
 *   it refuses unknown tokens), target of {@link TARGET} characters only;
 * - header lines `name ":" OWS value OWS CRLF`, name a token, value VCHAR/SP/HTAB only (no obs-text, no
 *   obs-fold, no bare CR or LF, no NUL), the head ending with an empty line, CRLF everywhere;
 * - exactly one `Host`; at most one `Connection`, `close` or `keep-alive`; at most one `Content-Length`,
 *   plain digits, at most `maxBody`; no `Transfer-Encoding`, `Expect` or `Upgrade`;
 * - a head (request line to the empty line) of at most `maxHead` bytes (node:http's `maxHeaderSize`
 *   counts fewer bytes than these, so it accepts whatever this accepts) and at most `maxHeaders` fields.
 */

import { TOKEN } from '../field-chars.ts'

/** Methods llhttp accepts and an invocation may use; any other goes to node:http. */
const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])

/** Raw target characters the fast door takes (serve.ts PLAIN_TARGET: a WHATWG URL leaves them as they are). */
const TARGET = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/%?') {
  TARGET[c.charCodeAt(0)] = 1
}

const CR = 0x0d
const LF = 0x0a
const SP = 0x20
const HTAB = 0x09
const COLON = 0x3a
const HEAD_END = Buffer.from('\r\n\r\n')
const VERSION = ' HTTP/1.1\r\n'
const INVOCATION = '/function/'
const ASYNC_SUBMISSION = '/async-function/'

export interface ParseLimits {
  /** Largest head, request line through the empty line, in bytes. */
  maxHead: number
  /** Largest body (Content-Length). */
  maxBody: number
  /** Most header fields. */
  maxHeaders: number
}

/** One request of the subset, whole (head and body). */
export interface WireRequest {
  method: string
  /** The raw request target, as sent. */
  target: string
  /** `[name, value…]`: names as sent, values without surrounding whitespace, as node:http's rawHeaders. */
  rawHeaders: string[]
  /** The Host field's value. */
  host: string
  /** null when no Content-Length or `Content-Length: 0`, or while the body is still arriving. */
  body: Buffer | null
  /**
   * false: the head is whole but the body is still arriving (more bytes are needed); the head is given so
   * the caller can tell at once whether the request is one it takes.
   */
  complete: boolean
  /** Whether the connection stays open after the answer (no `Connection: close`). */
  keepAlive: boolean
  /** Bytes of `buffer` this request took, from `start`. */
  length: number
}

/** More bytes are needed before this can be decided. */
export const PARTIAL: unique symbol = Symbol('partial')
/** Not a request of the subset: node:http takes the connection. */
export const OTHER: unique symbol = Symbol('other')

export type ParseResult = WireRequest | typeof PARTIAL | typeof OTHER

/** Parses the request at `buffer[start…]`. */
export function parseRequest(buffer: Buffer, start: number, limits: ParseLimits): ParseResult {
  const headEnd = buffer.indexOf(HEAD_END, start)
  if (headEnd === -1) {
    if (buffer.length - start > limits.maxHead) return OTHER
    return requestLineFails(buffer, start) ? OTHER : PARTIAL
  }
  const headLength = headEnd + 4 - start
  if (headLength > limits.maxHead) return OTHER
  // Latin-1: one char per byte, so offsets and validity checks stay byte-exact.
  const head = buffer.toString('latin1', start, headEnd + 2)
  const lineEnd = requestLineEnd(head)
  if (lineEnd === -1) return OTHER
  const firstSpace = head.indexOf(' ')
  const method = head.slice(0, firstSpace)
  const target = head.slice(firstSpace + 1, lineEnd - VERSION.length)
  const rawHeaders: string[] = []
  let host: string | null = null
  let hosts = 0
  let contentLength = -1
  let connection: string | null = null
  let at = lineEnd
  const end = head.length
  while (at < end) {
    // One field line: token name, colon, OWS, value, OWS, CRLF.
    let i = at
    while (i < end && TOKEN[head.charCodeAt(i)] === 1) i++
    if (i === at || head.charCodeAt(i) !== COLON) return OTHER
    const name = head.slice(at, i)
    i++
    while (i < end && isWhitespace(head.charCodeAt(i))) i++
    const valueStart = i
    let valueEnd = i
    for (;;) {
      const c = head.charCodeAt(i)
      if (c === CR) break
      if (c === HTAB || c === SP) {
        i++
        continue
      }
      if (c < 0x21 || c > 0x7e) return OTHER
      i++
      valueEnd = i
    }
    if (head.charCodeAt(i + 1) !== LF) return OTHER
    const value = head.slice(valueStart, valueEnd)
    rawHeaders.push(name, value)
    at = i + 2
    if (name.length < 4 || name.length > 17) continue
    switch (name.toLowerCase()) {
      case 'host':
        host = value
        hosts++
        break
      case 'content-length': {
        if (contentLength !== -1 || !plainDigits(value)) return OTHER
        contentLength = Number(value)
        if (contentLength > limits.maxBody) return OTHER
        break
      }
      case 'connection':
        if (connection !== null) return OTHER
        connection = value.toLowerCase()
        if (connection !== 'close' && connection !== 'keep-alive') return OTHER
        break
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return OTHER
    }
  }
  if (hosts !== 1 || host === null || rawHeaders.length > limits.maxHeaders * 2) return OTHER
  if (!METHODS.has(method)) return OTHER
  const bodyStart = headEnd + 4
  let body: Buffer | null = null
  let complete = true
  if (contentLength > 0) {
    if (buffer.length - bodyStart < contentLength) complete = false
    else body = buffer.subarray(bodyStart, bodyStart + contentLength)
  }
  return {
    method,
    target,
    rawHeaders,
    host,
    body,
    complete,
    keepAlive: connection !== 'close',
    length: headLength + Math.max(contentLength, 0),
  }
}

/**
 * Where the request line of `head` ends (the offset after its CRLF), or -1 when it is not a line of the
 * subset: a token method (checked against METHODS by the caller), one space, a plain target starting
 * with `/`, ` HTTP/1.1`.
 */
function requestLineEnd(head: string): number {
  const lineEnd = head.indexOf('\r\n')
  if (lineEnd === -1) return -1
  let i = 0
  while (i < lineEnd && TOKEN[head.charCodeAt(i)] === 1) i++
  if (i === 0 || head.charCodeAt(i) !== SP) return -1
  i++
  if (head.charCodeAt(i) !== 0x2f) return -1
  const targetEnd = lineEnd - VERSION.length + 2
  if (targetEnd <= i || head.slice(targetEnd, lineEnd + 2) !== VERSION) return -1
  for (; i < targetEnd; i++) if (TARGET[head.charCodeAt(i)] !== 1) return -1
  return lineEnd + 2
}

/**
 * A head still arriving whose request line is already complete and not one the door takes (not of the
 * subset, or neither an invocation nor an async submission): node:http can take the connection without
 * waiting for the rest.
 */
function requestLineFails(buffer: Buffer, start: number): boolean {
  const lineEnd = buffer.indexOf(LF, start)
  if (lineEnd === -1) return false
  const line = buffer.toString('latin1', start, lineEnd + 1)
  if (requestLineEnd(line) === -1) return true
  const space = line.indexOf(' ')
  const method = line.slice(0, space)
  if (!METHODS.has(method)) return true
  if (line.startsWith(INVOCATION, space + 1)) return false
  return method !== 'POST' || !line.startsWith(ASYNC_SUBMISSION, space + 1)
}

function isWhitespace(c: number): boolean {
  return c === SP || c === HTAB
}

/** 1 to 6 ASCII digits: more could not be at most the body limit anyway. */
function plainDigits(value: string): boolean {
  if (value.length === 0 || value.length > 6) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}
