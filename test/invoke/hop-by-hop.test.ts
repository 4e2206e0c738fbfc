/**
 * The one hop-by-hop rule (src/contract/hop-by-hop.ts) as the request side applies it: the fixed list,
 * the names a message's own Connection header lists, and no Content-Length when the body stays behind.
 */
import { describe, expect, it } from 'vitest'
import { connectionOptions, isHopByHop } from '../../src/contract/hop-by-hop.ts'
import { upstreamHeaders } from '../../src/invoke/headers.ts'

describe('hop-by-hop headers', () => {
  it('Connection names header names, lower-cased; close, keep-alive and non-tokens are not names', () => {
    expect(connectionOptions(null)).toBeNull()
    expect(connectionOptions('keep-alive')).toBeNull()
    expect(connectionOptions('Keep-Alive, X-Private , close')).toEqual(new Set(['x-private']))
    expect(connectionOptions('x a, , "quoted", ok')).toEqual(new Set(['ok']))
    expect(isHopByHop('transfer-encoding', null)).toBe(true)
    expect(isHopByHop('x-private', new Set(['x-private']))).toBe(true)
    expect(isHopByHop('x-public', new Set(['x-private']))).toBe(false)
  })

  it('the request side drops what the caller lists in Connection, and survives names that are not tokens', () => {
    const incoming = new Headers({
      connection: 'keep-alive, X-Private, not a name',
      'x-private': 'secret',
      'x-public': 'kept',
      'transfer-encoding': 'chunked',
      te: 'trailers',
    })
    const { headers } = upstreamHeaders(incoming, undefined, true)
    expect(headers.get('x-private')).toBeNull()
    expect(headers.get('x-public')).toBe('kept')
    expect(headers.has('connection') || headers.has('transfer-encoding') || headers.has('te')).toBe(false)
  })

  it('Content-Length goes upstream with the body, and stays behind without it', () => {
    const incoming = new Headers({ 'content-length': '5' })
    expect(upstreamHeaders(incoming, undefined, true).headers.get('content-length')).toBe('5')
    expect(upstreamHeaders(incoming, undefined, false).headers.get('content-length')).toBeNull()
  })
})
