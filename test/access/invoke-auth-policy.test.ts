/**
 * The invoke-auth annotations read without a gateway: modes, the query-parameter option, and removing a
 * token from the query while keeping every other byte of it.
 */
import { describe, expect, it } from 'vitest'
import { invokeAuthPolicy, withoutQueryParam } from '../../src/access/invoke-auth.ts'
import { claimHeaders } from '../../src/access/jwt.ts'

describe('edgefaas.dev/auth', () => {
  it('reads each mode; public by default', () => {
    expect(invokeAuthPolicy({})).toEqual({ mode: 'public' })
    expect(invokeAuthPolicy({ 'edgefaas.dev/auth': 'private' })).toEqual({ mode: 'private' })
    expect(
      invokeAuthPolicy({ 'edgefaas.dev/auth': 'token', 'edgefaas.dev/auth-query-param': 'key' }),
    ).toEqual({
      mode: 'token',
      queryParam: 'key',
    })
  })

  it('refuses a query parameter without token mode, and a bad parameter name', () => {
    expect(invokeAuthPolicy({ 'edgefaas.dev/auth-query-param': 'key' })).toMatch(
      /applies only with edgefaas.dev\/auth: token/,
    )
    expect(
      invokeAuthPolicy({ 'edgefaas.dev/auth': 'token', 'edgefaas.dev/auth-query-param': 'a b' }),
    ).toMatch(/must be a query parameter name/)
  })
})

describe('withoutQueryParam', () => {
  it('removes every occurrence and keeps the rest byte for byte', () => {
    expect(withoutQueryParam('?a=%2F&key=t1&b=x+y&key=t2', 'key')).toEqual({
      search: '?a=%2F&b=x+y',
      value: 't1',
    })
    expect(withoutQueryParam('?key=t', 'key')).toEqual({ search: '', value: 't' })
    expect(withoutQueryParam('?k%65y=t&z', 'key')).toEqual({ search: '?z', value: 't' })
    expect(withoutQueryParam('', 'key')).toEqual({ search: '', value: null })
    expect(withoutQueryParam('?a=1', 'key')).toEqual({ search: '?a=1', value: null })
  })
})

describe('claim headers', () => {
  it('sends printable values as they are and escapes the rest, so a claim cannot split a header', () => {
    expect(
      claimHeaders({ sub: 'alice', groups: ['a', 'b'], name: 'Zoë\r\nX-Evil: 1', n: 3 }, [
        'sub',
        'groups',
        'name',
        'n',
        'missing',
      ]),
    ).toEqual([
      ['x-jwt-claim-sub', 'alice'],
      ['x-jwt-claim-groups', '["a","b"]'],
      ['x-jwt-claim-name', '"Zo\\u00eb\\r\\nX-Evil: 1"'],
      ['x-jwt-claim-n', '3'],
    ])
  })
})
