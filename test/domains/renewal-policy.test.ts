/**
 * When the ACME job orders: missing certificates at once, ACME certificates when a third of their
 * lifetime is left, never while a failure's wait runs, never for wildcards or non-ACME domains; and how
 * long it waits after failures.
 */
import { describe, expect, it } from 'vitest'
import { renewalTime } from '../../src/domains/certificate-view.ts'
import { isDue, retryDelayMs } from '../../src/runtime/node/acme/job.ts'
import type { CertificateSummary } from '../../src/store/types.ts'

const t0 = new Date('2030-01-01T00:00:00.000Z')
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000)
const cert = (over: Partial<CertificateSummary> = {}): CertificateSummary => ({
  host: 'api.example.com',
  source: 'acme',
  notBefore: t0,
  notAfter: days(90),
  version: 1,
  lastError: null,
  attempts: 0,
  nextAttemptAt: null,
  updatedAt: t0,
  ...over,
})
const acme = { tls: 'acme' as const, host: 'api.example.com' }

describe('ACME ordering policy', () => {
  it('renews a 90-day certificate 30 days before it ends', () => {
    expect(renewalTime(t0, days(90))).toEqual(days(60))
    expect(isDue(acme, cert(), days(59))).toBe(false)
    expect(isDue(acme, cert(), days(60))).toBe(true)
  })

  it('orders a missing certificate at once, and replaces an uploaded one on an ACME domain', () => {
    expect(isDue(acme, undefined, t0)).toBe(true)
    expect(isDue(acme, cert({ notBefore: null, notAfter: null, source: null }), t0)).toBe(true)
    expect(isDue(acme, cert({ source: 'uploaded' }), t0)).toBe(true)
  })

  it('waits out a failure, and never orders for wildcards or domains without ACME', () => {
    expect(isDue(acme, cert({ notAfter: null, nextAttemptAt: days(1) }), t0)).toBe(false)
    expect(isDue(acme, cert({ notAfter: null, notBefore: null, nextAttemptAt: days(1) }), days(1))).toBe(true)
    expect(isDue({ tls: 'acme', host: '*.example.com' }, undefined, t0)).toBe(false)
    expect(isDue({ tls: 'uploaded', host: 'api.example.com' }, undefined, t0)).toBe(false)
    expect(isDue({ tls: 'none', host: 'api.example.com' }, undefined, t0)).toBe(false)
  })

  it('retries after 30 s, doubling up to 6 hours', () => {
    expect(retryDelayMs(0)).toBe(30_000)
    expect(retryDelayMs(1)).toBe(60_000)
    expect(retryDelayMs(5)).toBe(960_000)
    expect(retryDelayMs(50)).toBe(6 * 3_600_000)
  })
})
