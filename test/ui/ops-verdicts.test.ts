/**
 * The verdicts the operations pages colour rows by: a backend is unhealthy when either the probe or
 * the traffic says so; a certificate's badge and renewal line follow its state, expiry and ACME errors.
 */
import { describe, expect, it } from 'vitest'
import { type BackendView, NO_TRAFFIC } from '../../src/backends/record.ts'
import { backendVerdict } from '../../src/ui/pages/backends.ts'
import { certificateVerdict, renewal } from '../../src/ui/pages/domains.ts'

const backend = (over: Partial<BackendView> = {}): BackendView => ({
  name: 'eu',
  kind: 'openfaas',
  url: 'https://gw.eu.example',
  labels: {},
  default: false,
  builtin: false,
  functions: 1,
  health: { reachable: true, lastError: null, lastSeen: null, checkedAt: null },
  traffic: NO_TRAFFIC,
  createdAt: '',
  updatedAt: '',
  ...over,
})

describe('backendVerdict', () => {
  it('is red when the probe fails or calls got it ejected, amber while it recovers', () => {
    expect(backendVerdict(backend()).kind).toBe('ok')
    expect(backendVerdict(backend({ health: { ...backend().health, reachable: false } }))).toEqual({
      kind: 'bad',
      label: 'unreachable',
    })
    // The control plane answers, but calls to its functions fail: still unhealthy.
    expect(backendVerdict(backend({ traffic: { ...NO_TRAFFIC, state: 'ejected' } })).label).toBe('ejected')
    expect(backendVerdict(backend({ traffic: { ...NO_TRAFFIC, state: 'half-open' } })).kind).toBe('warn')
    expect(backendVerdict(backend({ health: { ...backend().health, reachable: null } })).kind).toBe('idle')
  })
})

const DAY = 24 * 3600_000
const NOW = Date.parse('2026-12-01T10:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
type Domain = Parameters<typeof certificateVerdict>[0]
const domain = (tls: Domain['tls'], certificate: Partial<Domain['certificate']> = {}): Domain => ({
  host: 'api.example.com',
  function: 'api',
  namespace: 'openfaas-fn',
  path: '/',
  redirectHttps: false,
  tls,
  source: 'api',
  createdAt: '',
  updatedAt: '',
  certificate: {
    state: 'none',
    source: null,
    notBefore: null,
    notAfter: null,
    renewAfter: null,
    lastError: null,
    attempts: 0,
    nextAttemptAt: null,
    ...certificate,
  },
})
const issued = (days: number, extra: Partial<Domain['certificate']> = {}) =>
  domain('acme', {
    state: 'issued',
    source: 'acme',
    notBefore: iso(NOW - 10 * DAY),
    notAfter: iso(NOW + days * DAY),
    renewAfter: iso(NOW + (days - 30) * DAY),
    ...extra,
  })

describe('certificateVerdict and renewal', () => {
  it('issued, expiring soon, renewal failing, expired', () => {
    expect(certificateVerdict(issued(60), NOW)).toEqual({ kind: 'ok', label: 'issued' })
    expect(renewal(issued(60), NOW)).toBe('renews after 2026-12-31 10:00Z')
    expect(certificateVerdict(issued(5), NOW).label).toBe('expires soon')
    expect(renewal(issued(5), NOW)).toBe('due now')
    const failing = issued(20, { lastError: 'rateLimited', nextAttemptAt: iso(NOW + 3600_000), attempts: 2 })
    expect(certificateVerdict(failing, NOW).label).toBe('issued, renewal failing')
    expect(renewal(failing, NOW)).toBe('retrying at 2026-12-01 11:00Z (2 failed)')
    expect(certificateVerdict(domain('acme', { state: 'expired' }), NOW).kind).toBe('bad')
  })

  it('pending ACME, failing ACME, uploads awaited and plain HTTP', () => {
    expect(certificateVerdict(domain('acme', { state: 'pending' }), NOW)).toEqual({
      kind: 'warn',
      label: 'pending',
    })
    expect(renewal(domain('acme', { state: 'pending' }), NOW)).toBe('ordering')
    const failing = domain('acme', { state: 'pending', lastError: 'connect ECONNREFUSED' })
    expect(certificateVerdict(failing, NOW)).toEqual({ kind: 'bad', label: 'ACME failing' })
    expect(certificateVerdict(domain('uploaded'), NOW).label).toBe('awaiting upload')
    expect(renewal(domain('uploaded'), NOW)).toMatch(/^manual/)
    expect(certificateVerdict(domain('none'), NOW)).toEqual({ kind: 'idle', label: 'HTTP only' })
    expect(renewal(domain('none'), NOW)).toBe('none (HTTP only)')
  })
})
