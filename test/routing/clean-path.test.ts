import fc from 'fast-check'
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

/** The rule as first written (before checkPath's one-scan fast path), the oracle for the property below. */
function checkPathByTheRule(pathname: string) {
  if (/%2f|%5c|%00|\\/i.test(pathname)) return { kind: 'reject' }
  const cleaned = cleanPath(pathname.replace(/%2e/gi, '.'))
  return cleaned === pathname ? { kind: 'ok' } : { kind: 'redirect', location: cleaned }
}

describe('checkPath fast path (a clean path answered with one scan)', () => {
  it.each([
    '/function/a/.hidden',
    '/function/a/..',
    '/function/a/.',
    '/function/a//b',
    '/function/a%2eb',
    '/function/%2E%2e/x',
    '/function/a/%2e',
    'function/a',
    '/function/a%2Fb',
    '/function/a%5cb',
    '/function/a%00',
    '/function/a\\b',
    '/function/a/',
    '/',
  ])('%s: same verdict as the full rule', (path) => {
    expect(checkPath(path).kind).toBe(checkPathByTheRule(path).kind)
    expect(checkPath(path)).toMatchObject(checkPathByTheRule(path))
  })

  it('agrees with the full rule on any path made of separators, dots and escapes', () => {
    const piece = fc.constantFrom(
      '/',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2f',
      '%5C',
      '%00',
      '\\',
      '%20',
      'a',
      'fn.ns',
      '%',
      '2',
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const path = pieces.join('')
        expect(checkPath(path)).toMatchObject(checkPathByTheRule(path))
      }),
      { numRuns: 5000 },
    )
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
