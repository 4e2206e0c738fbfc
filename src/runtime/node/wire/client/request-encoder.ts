/**
 * @module
 * One request as the bytes the wire client writes: `METHOD path HTTP/1.1`, `host`, `connection`, the
 * caller's headers as given, `content-length`, then the body, all in one Buffer (one write, one
 * syscall). Everything is checked before a byte is built, the way undici checks a dispatch: method and
 * header names are tokens, the path and values hold no CR, LF, NUL or other CTL (header injection and
 * request splitting cannot be expressed), and the headers undici refuses are refused here too —
 * `transfer-encoding`, `keep-alive`, `upgrade`, `expect`, a second `host` or `content-length`, a
 * `content-length` that is not the body's. A refusal is an {@link InvalidRequestError}: nothing was sent.
 */
import { isFieldValue, isToken } from '../field-chars.ts'

export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidRequestError'
  }
}

/** Methods whose request carries content: sent with `content-length: 0` when there is none (as undici). */
function expectsPayload(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'QUERY'
}

export interface EncodedRequest {
  bytes: Buffer
  /** The request asked the server to close (`connection: close`): the socket is not reused after it. */
  close: boolean
}

/**
 * Encodes a request for `hostHeader` (the origin's `host[:port]`). `body` is already bytes (or null).
 * Throws {@link InvalidRequestError} when the request cannot be sent as given.
 */
export function encodeRequest(
  method: string,
  path: string,
  headers: readonly string[],
  body: Uint8Array | null,
  hostHeader: string,
): EncodedRequest {
  if (!isToken(method)) throw new InvalidRequestError('invalid request method')
  if (!validPath(path)) throw new InvalidRequestError('invalid request path')
  if (headers.length % 2 !== 0) throw new InvalidRequestError('headers must be name/value pairs')
  let host: string | null = null
  let declared = -1
  let close = false
  let fields = ''
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!
    const value = headers[i + 1]!
    if (typeof name !== 'string' || !isToken(name)) throw new InvalidRequestError('invalid header name')
    if (typeof value !== 'string' || !isFieldValue(value)) {
      throw new InvalidRequestError(`invalid ${name} header value`)
    }
    switch (mayBeSpecial(name) ? name.toLowerCase() : '') {
      case 'host':
        if (host !== null) throw new InvalidRequestError('duplicate host header')
        host = value
        continue
      case 'content-length':
        if (declared !== -1) throw new InvalidRequestError('duplicate content-length header')
        if (!/^\d{1,15}$/.test(value)) throw new InvalidRequestError('invalid content-length header')
        declared = Number(value)
        continue
      case 'connection':
        for (const option of value.toLowerCase().split(',')) {
          const token = option.trim()
          if (!isToken(token)) throw new InvalidRequestError('invalid connection header')
          if (token === 'close') close = true
        }
        continue
      case 'transfer-encoding':
      case 'keep-alive':
      case 'upgrade':
        throw new InvalidRequestError(`invalid ${name.toLowerCase()} header`)
      case 'expect':
        throw new InvalidRequestError('expect header not supported')
    }
    fields += `${name}: ${value}\r\n`
  }
  const bodyLength = body === null ? 0 : body.byteLength
  if (declared !== -1 && declared !== bodyLength) {
    throw new InvalidRequestError(`content-length ${declared} does not match the body's ${bodyLength} bytes`)
  }
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host ?? hostHeader}\r\nconnection: ${close ? 'close' : 'keep-alive'}\r\n${fields}`
  if (bodyLength > 0 || expectsPayload(method)) head += `content-length: ${bodyLength}\r\n`
  head += '\r\n'
  const headLength = head.length // Latin-1 only (checked above): one byte per character
  const bytes = Buffer.allocUnsafe(headLength + bodyLength)
  bytes.write(head, 0, headLength, 'latin1')
  if (body !== null && bodyLength > 0) bytes.set(body, headLength)
  return { bytes, close }
}

/**
 * True when `name` may be one of the headers handled apart (host, content-length, connection,
 * transfer-encoding, keep-alive, upgrade, expect): by first letter and length, so the common headers
 * are not lower-cased on every call.
 */
function mayBeSpecial(name: string): boolean {
  switch (name.charCodeAt(0) | 0x20) {
    case 0x68: // h
      return name.length === 4
    case 0x63: // c
      return name.length === 14 || name.length === 10
    case 0x74: // t
      return name.length === 17
    case 0x6b: // k
      return name.length === 10
    case 0x75: // u
      return name.length === 7
    case 0x65: // e
      return name.length === 6
    default:
      return false
  }
}

/** As undici: starts with `/` (or is absolute), no byte outside `!`–`ÿ` (no CTL, no space). */
function validPath(path: string): boolean {
  if (path.length === 0) return false
  if (path.charCodeAt(0) !== 0x2f && !path.startsWith('http://') && !path.startsWith('https://')) return false
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c < 0x21 || c > 0xff) return false
  }
  return true
}
