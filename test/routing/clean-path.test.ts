import { describe, expect, it } from 'vitest'
import { checkPath, cleanPath } from '../../src/routing/clean-path.ts'
import { splitUrl } from '../../src/routing/split-url.ts'

describe('cleanPath (Go path.Clean + trailing slash kept, as gorilla/mux)', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/system/functions', '/system/functions'],
    ['//system//functions', '/system/functions'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/../../etc', '/etc'],
    ['/function/x/', '/function/x/'],
    ['/function/x/a/b/', '/function/x/a/b/'],
    ['/a/b/..', '/a/'],
  ])('%s → %s', (input, expected) => {
    expect(cleanPath(input)).toBe(expected)
  })
})

describe('checkPath', () => {
  it('accepts clean paths', () => {
    expect(checkPath('/system/functions')).toEqual({ kind: 'ok' })
    expect(checkPath('/function/env.openfaas-fn/a%20b')).toEqual({ kind: 'ok' })
  })
  it('redirects unclean paths, including encoded dots', () => {
    expect(checkPath('/x/%2E%2E/system/info')).toEqual({ kind: 'redirect', location: '/system/info' })
    expect(checkPath('//system/info')).toEqual({ kind: 'redirect', location: '/system/info' })
  })
  it.each(['/system%2Finfo', '/system%2finfo', '/a%5Cb', '/a\\b', '/a%00b'])('rejects %s', (path) => {
    expect(checkPath(path).kind).toBe('reject')
  })
})

describe('splitUrl', () => {
  it.each([
    ['http://h/a/b?x=1#f', '/a/b', '?x=1'],
    ['http://h:8080/function/x', '/function/x', ''],
    ['http://h/?', '/', '?'],
    ['http://h/p#frag?not-query', '/p', ''],
    ['https://user@h/p?q=a/b', '/p', '?q=a/b'],
  ])('%s', (url, pathname, search) => {
    expect(splitUrl(url)).toEqual({ pathname, search })
  })
})
