/**
 * @module
 * How /system/domains shows a domain's certificate: where it stands, when it expires and renews, the
 * last error. Never the key, and not the PEM either (the certificate is public, but large and useless here).
 */
import type { CertificateSummary, DomainRecord } from '../store/types.ts'

export type CertificateState = 'none' | 'pending' | 'issued' | 'expired'

export interface CertificateView {
  /** `none`: HTTP only, or an upload awaited; `pending`: ACME has not stored one yet. */
  state: CertificateState
  source: CertificateSummary['source']
  notBefore: string | null
  notAfter: string | null
  /** When an ACME certificate is renewed (a third of its lifetime before it ends). */
  renewAfter: string | null
  lastError: string | null
  attempts: number
  nextAttemptAt: string | null
}

/** ACME certificates are renewed when a third of their lifetime is left, as Let's Encrypt advises. */
export function renewalTime(notBefore: Date, notAfter: Date): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime()
  return new Date(notAfter.getTime() - lifetime / 3)
}

export function certificateView(
  domain: Pick<DomainRecord, 'tls'>,
  summary: CertificateSummary | undefined,
  now: Date,
): CertificateView {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)
  const has = summary?.notAfter != null && summary.notBefore != null
  let state: CertificateState
  if (has) state = (summary?.notAfter as Date) > now ? 'issued' : 'expired'
  else state = domain.tls === 'acme' ? 'pending' : 'none'
  return {
    state,
    source: summary?.source ?? null,
    notBefore: iso(summary?.notBefore),
    notAfter: iso(summary?.notAfter),
    renewAfter:
      has && summary?.source === 'acme'
        ? renewalTime(summary.notBefore as Date, summary.notAfter as Date).toISOString()
        : null,
    lastError: summary?.lastError ?? null,
    attempts: summary?.attempts ?? 0,
    nextAttemptAt: iso(summary?.nextAttemptAt),
  }
}
