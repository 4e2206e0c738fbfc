/**
 * @module
 * The wire client's response parser (src/runtime/node/wire/client/response-parser.ts) on bytes alone: framing
 * per RFC 9112 §6.3, every malformed head it must refuse, and two properties — random valid responses
 * come back as they were built, and any input (valid or not) split anywhere parses as it does whole.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_HEAD_BYTES,
  type ResponseHead,
  ResponseParser,
  WireProtocolError,
} from '../../src/runtime/node/wire/client/response-parser.ts'
import { splitAt } from '../harness/split-bytes.ts'

interface Outcome {
  head: Omit<ResponseHead, 'headers'> & { headers: Record<string, string | string[] | undefined> }
  body: string
  complete: boolean
  extra: boolean
  error: string | null
}

/** Parses `chunks` in order (then EOF when `eof`), collecting what the parser reports. */
function parse(method: string, chunks: Buffer[], eof = true): Partial<Outcome> {
  let head: ResponseHead | undefined
  const body: Buffer[] = []
  let ended = 0
  const parser = new ResponseParser(method, {
    onHead: (h) => {
      head = h
    },
    onBody: (chunk) => {
      body.push(Buffer.from(chunk))
      return true
    },
    onEnd: () => {
      ended++
    },
  })
  try {
    for (const chunk of chunks) parser.push(chunk)
    if (eof) parser.eof()
  } catch (error) {
    if (!(error instanceof WireProtocolError)) throw error
    return { error: error.message, ...(head ? { head: { ...head, headers: copy(head.headers) } } : {}) }
  }
  expect(ended).toBeLessThanOrEqual(1)
  return {
    ...(head ? { head: { ...head, headers: copy(head.headers) } } : {}),
    body: Buffer.concat(body).toString('latin1'),
    complete: ended === 1,
    extra: parser.extraBytes,
    error: null,
  }
}

/** An own-property copy (a spread would turn a `__proto__` header into the prototype). */
function copy(headers: object): Record<string, string | string[] | undefined> {
  const out = Object.create(null) as Record<string, string | string[] | undefined>
  for (const [name, value] of Object.entries(headers)) out[name] = value
  return out
}

const whole = (raw: string, method = 'GET', eof = true) => parse(method, [Buffer.from(raw, 'latin1')], eof)

function rejects(raw: string, pattern?: RegExp): void {
  const outcome = whole(raw)
  expect(outcome.error, `expected ${JSON.stringify(raw)} to be refused`).toBeTruthy()
  if (pattern) expect(outcome.error).toMatch(pattern)
}

describe('wire response parser: heads', () => {
  it('reads status, reason, lower-case names, repeated headers as arrays, values trimmed of OWS', () => {
    const outcome = whole(
      'HTTP/1.1 201 Created Here\r\nX-One: a\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Pad:\t  v v \t\r\nX-Empty:\r\nContent-Length: 2\r\n\r\nhi',
    )
    expect(outcome.head?.status).toBe(201)
    expect(outcome.head?.statusText).toBe('Created Here')
    expect(outcome.head?.headers).toEqual({
      'x-one': 'a',
      'set-cookie': ['a=1', 'b=2'],
      'x-pad': 'v v',
      'x-empty': '',
      'content-length': '2',
    })
    expect([outcome.body, outcome.complete, outcome.head?.keepAlive]).toEqual(['hi', true, true])
  })

  it('takes an empty reason, or none at all', () => {
    expect(whole('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n').head?.statusText).toBe('')
    expect(whole('HTTP/1.1 204\r\n\r\n').head?.status).toBe(204)
  })

  it('keeps values as Latin-1 (obs-text)', () => {
    expect(whole('HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\nContent-Length: 0\r\n\r\n').head?.headers['x-a']).toBe(
      'café',
    )
  })

  it('headers named like Object.prototype members are plain headers (__proto__, constructor, toString)', () => {
    const raw =
      'HTTP/1.1 200 OK\r\n__proto__: a\r\n__proto__: b\r\nConstructor: c\r\nconstructor: d\r\ntoString: e\r\nContent-Length: 0\r\n\r\n'
    const headers = whole(raw).head?.headers ?? {}
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toEqual(['a', 'b'])
    expect([headers.constructor, headers.tostring]).toEqual([['c', 'd'], 'e'])
  })

  it('skips 1xx interim answers (100, 103) and reads the final head after them', () => {
    const outcome = whole(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    )
    expect([outcome.head?.status, outcome.head?.headers.link, outcome.body]).toEqual([200, undefined, 'ok'])
  })

  it('HTTP/1.0: reused only with Connection: keep-alive', () => {
    expect(whole('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').head?.keepAlive).toBe(false)
    expect(
      whole('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').head?.keepAlive,
    ).toBe(true)
    expect(
      whole('HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n').head?.keepAlive,
    ).toBe(false)
  })

  it("reads the server's Keep-Alive timeout", () => {
    const head = whole('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n').head
    expect(head?.keepAliveTimeoutMs).toBe(5_000)
  })
})

describe('wire response parser: refusals', () => {
  const ok = 'Content-Length: 2\r\n\r\nhi'
  it.each([
    ['bare LF in the status line', 'HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nhi', /bare LF/],
    ['bare LF after a header', `HTTP/1.1 200 OK\r\nX-A: a\n${ok}`, /bare LF/],
    ['bare LF ending the head', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nhi', /bare LF/],
    ['bare CR in a value', `HTTP/1.1 200 OK\r\nX-A: a\rb\r\n${ok}`, /header value/],
    ['NUL in a value', `HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n${ok}`, /header value/],
    ['a CTL in a value', `HTTP/1.1 200 OK\r\nX-A: a\x01b\r\n${ok}`, /header value/],
    ['DEL in a value', `HTTP/1.1 200 OK\r\nX-A: a\x7fb\r\n${ok}`, /header value/],
    ['obs-fold', `HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n${ok}`, /obs-fold/],
    ['whitespace before the colon', `HTTP/1.1 200 OK\r\nX-A : a\r\n${ok}`, /header name/],
    ['an empty name', `HTTP/1.1 200 OK\r\n: a\r\n${ok}`, /header name/],
    ['a name with a separator', `HTTP/1.1 200 OK\r\nX/A: a\r\n${ok}`, /header name/],
    ['a line without a colon', `HTTP/1.1 200 OK\r\nX-A\r\n${ok}`, /header name/],
    ['a status under 100', `HTTP/1.1 099 X\r\n${ok}`, /status/],
    ['a four-digit status', `HTTP/1.1 1000 X\r\n${ok}`, /status line/],
    ['letters in the status', `HTTP/1.1 2x0 X\r\n${ok}`, /status line/],
    ['two spaces before the status', `HTTP/1.1  200 X\r\n${ok}`, /status line/],
    ['a lower-case protocol', `http/1.1 200 OK\r\n${ok}`, /status line/],
    ['HTTP/2.0 on an HTTP/1 connection', `HTTP/2.0 200 OK\r\n${ok}`, /status line/],
    ['a CTL in the reason', `HTTP/1.1 200 O\x01K\r\n${ok}`, /reason/],
    ['101: no upgrades were asked for', 'HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n', /101/],
    ['a signed Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nhi', /Content-Length/],
    ['a Content-Length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi', /Content-Length/],
    ['an empty Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhi', /Content-Length/],
    ['a hex Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 0x2\r\n\r\nhi', /Content-Length/],
    [
      'an unsafe Content-Length',
      'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999\r\n\r\n',
      /Content-Length/,
    ],
    [
      'different Content-Lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi',
      /different/,
    ],
    [
      'Transfer-Encoding on HTTP/1.0',
      'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      /HTTP\/1.0/,
    ],
    [
      'chunked twice',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
      /more than once/,
    ],
    [
      'a bad chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n',
      /chunk size/,
    ],
    [
      'a space after the chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nhi\r\n0\r\n\r\n',
      /chunk size/,
    ],
    [
      'a chunk size over 13 hex digits',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n',
      /chunk size/,
    ],
    [
      'a CTL in a chunk extension',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;\x01\r\nhi\r\n0\r\n\r\n',
      /chunk size/,
    ],
    [
      'a bare LF after a chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n',
      /bare LF/,
    ],
    [
      'chunk data not followed by CRLF',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXX0\r\n\r\n',
      /CRLF/,
    ],
    [
      'a malformed trailer',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX T: 1\r\n\r\n',
      /header name/,
    ],
    [
      'a cut chunked body',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhi',
      /closed before the response ended/,
    ],
    [
      'a cut Content-Length body',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi',
      /closed before the response ended/,
    ],
    ['a cut head', 'HTTP/1.1 200 OK\r\nContent-Ty', /closed before the response ended/],
    ['nothing at all', '', /closed before a response/],
  ])('refuses %s', (_what, raw, pattern) => rejects(raw, pattern))

  it(`refuses a head over ${MAX_HEAD_BYTES} bytes, before its end arrives`, () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`
    expect(parse('GET', [Buffer.from(big)], false).error).toMatch(/longer than/)
    const many = `HTTP/1.1 200 OK\r\n${'X-A: b\r\n'.repeat(MAX_HEAD_BYTES / 8)}`
    expect(parse('GET', [Buffer.from(many)], false).error).toMatch(/longer than/)
  })

  it('accepts a head just under the limit', () => {
    const line = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n'
    const pad = MAX_HEAD_BYTES - line.length - 'X-P: \r\n\r\n'.length
    expect(whole(`${line}X-P: ${'p'.repeat(pad)}\r\n\r\n`).complete).toBe(true)
    expect(whole(`${line}X-P: ${'p'.repeat(pad + 1)}\r\n\r\n`).error).toMatch(/longer than/)
  })

  it('refuses an endless run of 1xx answers', () => {
    rejects(
      `${'HTTP/1.1 103 Early\r\n\r\n'.repeat(17)}HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`,
      /interim/,
    )
  })
})

describe('wire response parser: framing (RFC 9112 §6.3)', () => {
  it('HEAD, 204 and 304 carry no body whatever the headers say', () => {
    expect(whole('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD')).toMatchObject({
      body: '',
      complete: true,
    })
    const noContent = whole('HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n', 'GET', false)
    expect(noContent).toMatchObject({ body: '', complete: true })
    // A 204 that declares content may send it: answered, but the connection is not reused (as undici).
    expect(noContent.head?.keepAlive).toBe(false)
    expect(whole('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n', 'GET', false)).toMatchObject({
      complete: true,
    })
  })

  it('Content-Length frames the body; bytes after it are flagged, not read', () => {
    const outcome = whole('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA', 'GET', false)
    expect(outcome).toMatchObject({ body: 'hi', complete: true, extra: true })
  })

  it('the same Content-Length twice is one header', () => {
    const outcome = whole('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi', 'GET', false)
    expect([outcome.body, outcome.head?.headers['content-length']]).toEqual(['hi', '2'])
  })

  it('chunked: sizes in any case, extensions, trailers; the body decoded', () => {
    const outcome = whole(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA;name="quoted value"\r\n0123456789\r\n002\r\nhi\r\n0\r\nX-Trailer: 1\r\n\r\n',
      'GET',
      false,
    )
    expect(outcome).toMatchObject({ body: '0123456789hi', complete: true, extra: false })
    expect(outcome.head?.headers['x-trailer']).toBeUndefined()
    expect(outcome.head?.keepAlive).toBe(true)
  })

  it('Transfer-Encoding not ending in chunked: read until close, no reuse', () => {
    const open = whole('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello', 'GET', false)
    expect([open.complete, open.head?.framing, open.head?.keepAlive]).toEqual([false, 'close', false])
    expect(whole('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello')).toMatchObject({
      body: 'hello',
      complete: true,
    })
  })

  it('Transfer-Encoding and Content-Length: chunked wins, the length is dropped, no reuse', () => {
    const outcome = whole(
      'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
      'GET',
      false,
    )
    expect([outcome.body, outcome.complete, outcome.head?.keepAlive]).toEqual(['hi', true, false])
    expect(outcome.head?.headers['content-length']).toBeUndefined()
  })

  it('no length and no chunking: the body runs until the connection closes, no reuse', () => {
    const open = whole('HTTP/1.1 200 OK\r\n\r\nhello', 'GET', false)
    expect([open.complete, open.head?.keepAlive]).toEqual([false, false])
    expect(whole('HTTP/1.1 200 OK\r\n\r\nhello')).toMatchObject({ body: 'hello', complete: true })
  })

  it('holds the rest of a chunk when the consumer pauses, and goes on at resume', () => {
    const chunks: string[] = []
    let ended = false
    let flowing = false
    const parser = new ResponseParser('GET', {
      onHead: () => {},
      onBody: (chunk) => {
        chunks.push(chunk.toString())
        return flowing
      },
      onEnd: () => {
        ended = true
      },
    })
    parser.push(
      Buffer.from(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n',
      ),
    )
    expect([chunks, parser.paused]).toEqual([['a'], true])
    parser.push(Buffer.from('EXTRA')) // arrives while paused: held behind the rest
    flowing = true
    parser.resume()
    expect([chunks.join(''), ended, parser.extraBytes]).toEqual(['abc', true, true])
  })
})

// ---- properties ----

const tokenChar = fc.constantFrom(
  ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(''),
)
const valueChar = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.constantFrom(0x20, 0x09),
)
const headerName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 }).map((n) => `x-${n}`)
const headerValue = fc
  .array(valueChar, { maxLength: 24 })
  .map((codes) => String.fromCharCode(...codes).replace(/^[ \t]+|[ \t]+$/g, ''))

interface Built {
  raw: Buffer
  status: number
  headers: Array<[string, string]>
  body: Buffer
  framing: 'length' | 'chunked' | 'close'
}

const response = fc
  .record({
    status: fc.integer({ min: 200, max: 999 }).filter((s) => s !== 204 && s !== 304),
    reason: fc.string({ unit: fc.constantFrom('O', 'K', ' ', 'x'), maxLength: 8 }),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
    body: fc.uint8Array({ maxLength: 300 }),
    framing: fc.constantFrom('length', 'chunked', 'close') as fc.Arbitrary<Built['framing']>,
    chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
  })
  .map(({ status, reason, headers, body, framing, chunkSizes }): Built => {
    let head = `HTTP/1.1 ${status} ${reason}\r\n`
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`
    const parts: Buffer[] = []
    if (framing === 'length') head += `Content-Length: ${body.byteLength}\r\n`
    if (framing === 'chunked') {
      head += 'Transfer-Encoding: chunked\r\n'
      let at = 0
      let i = 0
      while (at < body.byteLength) {
        const size = Math.min(chunkSizes[i++ % chunkSizes.length]!, body.byteLength - at)
        parts.push(
          Buffer.from(`${size.toString(16)}${i % 2 ? ';ext=1' : ''}\r\n`),
          Buffer.from(body.subarray(at, at + size)),
          Buffer.from('\r\n'),
        )
        at += size
      }
      parts.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n'))
    } else parts.push(Buffer.from(body))
    return {
      raw: Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), ...parts]),
      status,
      headers,
      body: Buffer.from(body),
      framing,
    }
  })

describe('wire response parser: properties', () => {
  it('a random valid response parses back to what was built, split at any points', () => {
    fc.assert(
      fc.property(response, fc.array(fc.nat(), { maxLength: 12 }), (built, cuts) => {
        const outcome = parse('GET', splitAt(built.raw, cuts))
        expect(outcome.error).toBeNull()
        expect(outcome.head?.status).toBe(built.status)
        const expected: Record<string, string | string[]> = {}
        for (const [name, value] of built.headers) {
          const key = name.toLowerCase()
          const existing = expected[key]
          expected[key] =
            existing === undefined
              ? value
              : Array.isArray(existing)
                ? [...existing, value]
                : [existing, value]
        }
        for (const [key, value] of Object.entries(expected)) expect(outcome.head?.headers[key]).toEqual(value)
        expect(Buffer.from(outcome.body ?? '', 'latin1').equals(built.body)).toBe(true)
        expect(outcome.complete).toBe(true)
      }),
      { numRuns: 400 },
    )
  })

  it('any bytes (valid, mutated or junk) parse the same split as whole', () => {
    const mutated = fc
      .tuple(response, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([built, edits]) => {
        const raw = Buffer.from(built.raw)
        for (const [at, byte] of edits) if (raw.length > 0) raw[at % raw.length] = byte
        return raw
      })
    const junk = fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(bytes)]))
    fc.assert(
      fc.property(fc.oneof(mutated, junk), fc.array(fc.nat(), { maxLength: 12 }), (raw, cuts) => {
        const once = parse('GET', [raw])
        const pieces = parse('GET', splitAt(raw, cuts))
        expect(pieces).toEqual(once)
      }),
      { numRuns: 600 },
    )
  })
})
