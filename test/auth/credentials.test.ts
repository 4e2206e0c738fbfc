import { describe, expect, it } from 'vitest'
import { credentialsMatch, parseBasicAuth } from '../../src/auth/credentials.ts'
import { isPublicPath } from '../../src/auth/middleware.ts'

describe('parseBasicAuth', () => {
  it('decodes user and password, keeping colons in the password', () => {
    expect(parseBasicAuth(`Basic ${btoa('admin:pa:ss')}`)).toEqual({ user: 'admin', password: 'pa:ss' })
  })
  it.each([undefined, '', 'Bearer ', 'Bearer abc', 'Basic', 'Basic !!!', `Basic ${btoa('no-colon')}`])(
    'refuses %s',
    (header) => {
      expect(parseBasicAuth(header)).toBeNull()
    },
  )
})

describe('credentialsMatch', () => {
  const expected = { user: 'admin', password: 'correct horse' }
  it('matches only when both match', async () => {
    expect(await credentialsMatch({ user: 'admin', password: 'correct horse' }, expected)).toBe(true)
    expect(await credentialsMatch({ user: 'admin', password: 'correct hors' }, expected)).toBe(false)
    expect(await credentialsMatch({ user: 'Admin', password: 'correct horse' }, expected)).toBe(false)
    expect(await credentialsMatch({ user: '', password: '' }, expected)).toBe(false)
  })
})

describe('isPublicPath (the allow-list of the default-deny middleware)', () => {
  it.each(['/', '/healthz', '/function/env', '/function/env.ns/a/b', '/async-function/x'])(
    '%s is public',
    (p) => {
      expect(isPublicPath(p)).toBe(true)
    },
  )
  it.each(['/system/functions', '/ui/', '/functions', '/function-x', '/healthz/x', '/metrics', '/anything'])(
    '%s is protected',
    (p) => {
      expect(isPublicPath(p)).toBe(false)
    },
  )
})

describe('async cancellation is not public', () => {
  it('POST /async-function is public, DELETE is not', () => {
    expect(isPublicPath('/async-function/x', 'POST')).toBe(true)
    expect(isPublicPath('/async-function/0f6c…', 'DELETE')).toBe(false)
  })
})
