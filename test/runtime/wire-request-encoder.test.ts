/**
 * @module
 * The wire client's request encoder (src/runtime/node/wire/client/request-encoder.ts): the bytes of one request
 * in one Buffer, and every request it must refuse before building a byte (header injection, request
 * splitting, headers undici refuses), checked against random names and values.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeRequest, InvalidRequestError } from '../../src/runtime/node/wire/client/request-encoder.ts'

const text = (method: string, path: string, headers: string[], body: string | null = null) =>
  encodeRequest(
    method,
    path,
    headers,
    body === null ? null : Buffer.from(body),
    '127.0.0.1:8080',
  ).bytes.toString('latin1')

describe('wire request encoder', () => {
  it('writes the request line, host, connection, the headers as given, content-length, then the body', () => {
    expect(text('POST', '/fn?q=1', ['Content-Type', 'text/plain', 'x-a', '1', 'x-a', '2'], 'hello')).toBe(
      'POST /fn?q=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nconnection: keep-alive\r\nContent-Type: text/plain\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 5\r\n\r\nhello',
    )
  })

  it('a given host replaces the origin; a matching content-length is written once', () => {
    expect(text('PUT', '/', ['Host', 'fn.example', 'Content-Length', '2'], 'hi')).toBe(
      'PUT / HTTP/1.1\r\nhost: fn.example\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nhi',
    )
  })

  it('content-length: 0 for POST, PUT and PATCH without a body; none for GET', () => {
    expect(text('PATCH', '/', [])).toContain('content-length: 0\r\n')
    expect(text('GET', '/', [])).not.toContain('content-length')
    expect(text('GET', '/', ['content-length', '0'])).not.toContain('content-length')
  })

  it('connection: close is passed on as ours, and the request says the socket will not be reused', () => {
    const encoded = encodeRequest('GET', '/', ['Connection', 'close'], null, 'h')
    expect(encoded.close).toBe(true)
    expect(encoded.bytes.toString()).toBe('GET / HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n')
  })

  it('Latin-1 values are written as single bytes; a body as its bytes', () => {
    const bytes = encodeRequest('POST', '/', ['x-name', 'café'], Buffer.from([0, 255, 10]), 'h').bytes
    expect(bytes.includes(Buffer.from('x-name: caf\xe9\r\n', 'latin1'))).toBe(true)
    expect([...bytes.subarray(-3)]).toEqual([0, 255, 10])
  })

  it.each([
    ['a method that is not a token', 'GE T', '/', []],
    ['an empty method', '', '/', []],
    ['a path with a space', 'GET', '/a b', []],
    ['a path with CRLF', 'GET', '/a\r\nx: 1', []],
    ['a relative path', 'GET', 'a', []],
    ['a path beyond Latin-1', 'GET', '/€', []],
    ['an odd header list', 'GET', '/', ['x-a']],
    ['an empty header name', 'GET', '/', ['', 'v']],
    ['a header name with a colon', 'GET', '/', ['x:a', 'v']],
    ['a value with CR', 'GET', '/', ['x-a', 'a\rb']],
    ['a value with LF', 'GET', '/', ['x-a', 'a\nb']],
    ['a value with NUL', 'GET', '/', ['x-a', 'a\0b']],
    ['a value with DEL', 'GET', '/', ['x-a', 'a\x7fb']],
    ['a value beyond Latin-1', 'GET', '/', ['x-a', '€']],
    ['two hosts', 'GET', '/', ['host', 'a', 'Host', 'b']],
    ['two content-lengths', 'POST', '/', ['content-length', '0', 'content-length', '0']],
    ['a content-length with a sign', 'POST', '/', ['content-length', '+0']],
    ['a content-length that is not the body', 'POST', '/', ['content-length', '3']],
    ['transfer-encoding', 'POST', '/', ['Transfer-Encoding', 'chunked']],
    ['keep-alive', 'GET', '/', ['keep-alive', 'timeout=5']],
    ['upgrade', 'GET', '/', ['Upgrade', 'websocket']],
    ['expect', 'POST', '/', ['expect', '100-continue']],
    ['a connection option that is not a token', 'GET', '/', ['connection', 'a b']],
  ])('refuses %s', (_what, method, path, headers) => {
    expect(() => encodeRequest(method, path, headers, null, 'h')).toThrow(InvalidRequestError)
  })

  it('no name or value can put a line break (or any CTL but HTAB) on the wire', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 0, max: 0x17f }).map((c) => String.fromCharCode(c)),
          maxLength: 12,
        }),
        fc.string({
          unit: fc.integer({ min: 0, max: 0x17f }).map((c) => String.fromCharCode(c)),
          maxLength: 12,
        }),
        (name, value) => {
          let bytes: Buffer
          try {
            bytes = encodeRequest('GET', '/', [name, value], null, 'h').bytes
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidRequestError)
            return
          }
          const head = bytes.toString('latin1')
          // Exactly the lines we wrote: request line, host, connection, the one header, the empty line.
          expect(head.split('\r\n')).toHaveLength(6)
          expect([...head.replaceAll('\r\n', '')].some((c) => (c < ' ' && c !== '\t') || c === '\x7f')).toBe(
            false,
          )
        },
      ),
      { numRuns: 2000 },
    )
  })
})
