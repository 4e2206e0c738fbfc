/**
 * The pure parts of custom domains: host normalisation, the checks on configured hosts and prefixes,
 * the most-specific-wins lookup and the FunctionIngress-style path mapping.
 */
import { describe, expect, it } from 'vitest'
import { parseDomainsAnnotation } from '../../src/domains/annotation.ts'
import { checkDomainHost, checkPathPrefix, normaliseRequestHost } from '../../src/domains/host.ts'
import {
  buildDomainTable,
  coveringWildcards,
  type DomainRoute,
  findDomain,
  resolveDomain,
} from '../../src/domains/resolve.ts'

const route = (host: string, functionName: string, pathPrefix = '/'): DomainRoute => ({
  host,
  namespace: 'openfaas-fn',
  functionName,
  pathPrefix,
  redirectHttps: false,
  tls: 'none',
})

describe('request hosts are normalised once', () => {
  it.each([
    ['API.Example.COM', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['api.example.com:8080', 'api.example.com'],
    ['Api.Example.com.:443', 'api.example.com'],
    ['[::1]:8080', '[::1]'],
    ['', null],
  ])('%s → %s', (input, expected) => {
    expect(normaliseRequestHost(input)).toBe(expected)
  })
})

describe('configured hosts are validated', () => {
  it.each([
    ['API.example.com', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['*.Example.com', '*.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
  ])('%s is stored as %s', (input, host) => {
    expect(checkDomainHost(input)).toMatchObject({ host })
  })

  it.each([
    '127.0.0.1',
    '10.1',
    '0x7f.1',
    'localhost',
    'api.example.com:80',
    'http://api.example.com',
    'api.example.com/v1',
    'a..example.com',
    '*.com',
    'a.*.example.com',
    '**.example.com',
    '-bad.example.com',
    `${'a'.repeat(64)}.example.com`,
    `${'a.'.repeat(130)}com`,
    'user@example.com',
    '[::1]',
    'api%2eexample.com',
    '',
  ])('%s is refused with a message', (input) => {
    const checked = checkDomainHost(input)
    expect(checked).toHaveProperty('problem')
    expect((checked as { problem: string }).problem).toMatch(/^host: /)
  })

  it.each([
    [undefined, '/'],
    ['/', '/'],
    ['/v1', '/v1'],
    ['/v1/', '/v1'],
    ['/api/v2', '/api/v2'],
  ])('path prefix %s → %s', (input, prefix) => {
    expect(checkPathPrefix(input)).toEqual({ prefix })
  })

  it.each(['v1', '/v1/../x', '//v1', '/v1?x', '/v%2f1', '/a/./b', '/a b'])(
    'path prefix %s is refused',
    (input) => {
      expect(checkPathPrefix(input)).toHaveProperty('problem')
    },
  )
})

describe('the most specific domain wins', () => {
  const table = buildDomainTable([
    route('api.example.com', 'exact', '/v1'),
    route('*.example.com', 'wide'),
    route('*.eu.example.com', 'narrow'),
  ])

  it.each([
    ['api.example.com', 'exact'],
    ['www.example.com', 'wide'],
    ['a.b.example.com', 'wide'],
    ['x.eu.example.com', 'narrow'],
    ['y.x.eu.example.com', 'narrow'],
    ['eu.example.com', 'wide'],
  ])('%s → %s', (host, fn) => {
    expect(findDomain(table, host)?.functionName).toBe(fn)
  })

  it('lists the wildcards that cover a host, most specific first', () => {
    expect(coveringWildcards('a.b.example.com')).toEqual(['*.b.example.com', '*.example.com'])
    expect(coveringWildcards('*.b.example.com')).toEqual(['*.example.com'])
    expect(coveringWildcards('example.com')).toEqual([])
  })

  it('ignores hosts longer than a DNS name can be', () => {
    expect(findDomain(table, `${'a.'.repeat(200)}example.com`)).toBeNull()
  })

  it('a wildcard never matches its own apex, and unknown hosts match nothing', () => {
    expect(findDomain(table, 'example.com')).toBeNull()
    expect(findDomain(table, 'example.org')).toBeNull()
    expect(findDomain(table, 'com')).toBeNull()
  })

  it('maps the path under the prefix, on segment boundaries only', () => {
    expect(resolveDomain(table, 'api.example.com', '/v1/hello')).toMatchObject({
      kind: 'function',
      name: 'exact',
      path: '/hello',
    })
    expect(resolveDomain(table, 'api.example.com', '/v1')).toMatchObject({ path: '/' })
    expect(resolveDomain(table, 'api.example.com', '/v10')).toMatchObject({ kind: 'outside-prefix' })
    expect(resolveDomain(table, 'api.example.com', '/system/functions')).toMatchObject({
      kind: 'outside-prefix',
    })
    expect(resolveDomain(table, 'www.example.com', '/system/functions')).toMatchObject({
      kind: 'function',
      path: '/system/functions',
    })
  })
})

describe('the edgefaas.dev/domains annotation', () => {
  it('reads host[/prefix] entries', () => {
    expect(parseDomainsAnnotation(' API.example.com/v1 , *.env.example.com ')).toEqual({
      domains: [
        { host: 'api.example.com', pathPrefix: '/v1' },
        { host: '*.env.example.com', pathPrefix: '/' },
      ],
    })
  })

  it.each(['127.0.0.1', 'a.example.com,a.example.com', 'a.example.com/../x'])('refuses %s', (value) => {
    expect(parseDomainsAnnotation(value)).toHaveProperty('problem')
  })
})
