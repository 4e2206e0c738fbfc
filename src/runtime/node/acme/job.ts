/**
 * @module
 * The background job that keeps ACME certificates: each pass finds the domains (tls `acme`) whose
 * certificate is missing or due for renewal (a third of its lifetime left) and not waiting out a
 * failure, and orders them. Gateways sharing a store coordinate per host through a lease, so exactly one
 * orders each certificate and all of them serve it. A failure is recorded on the domain (shown at
 * /system/domains/{host}) and retried with a growing wait.
 */
import { renewalTime } from '../../../domains/certificate-view.ts'
import { certificateKeyData } from '../../../domains/tls-driver.ts'
import type { Logger } from '../../../logger.ts'
import type { SecretCipher } from '../../../store/cipher.ts'
import type { CertificateSummary, DomainRecord, Store } from '../../../store/types.ts'
import type { OrderCertificate } from './order.ts'

/** Longer than an order can take (acme-client gives up polling after about two minutes). */
const ORDER_LEASE_MS = 5 * 60_000
const RETRY_MIN_MS = 30_000
const RETRY_MAX_MS = 6 * 3_600_000
/** Orders running at once per gateway. */
const PARALLEL_ORDERS = 4
const MAX_ERROR_LENGTH = 500

export interface AcmeJob {
  /** One pass: order what is due. */
  runOnce(): Promise<void>
  /**
   * When the next order falls due, as of the last pass (a renewal, or a retry after a failure); null
   * when nothing is scheduled. Short-lived certificates need a pass sooner than the loop's period.
   */
  nextDueAt(): Date | null
}

/** When `domain` falls due next, for one that is not due now. */
function dueAt(
  domain: Pick<DomainRecord, 'tls' | 'host'>,
  cert: CertificateSummary | undefined,
): Date | null {
  if (domain.tls !== 'acme' || domain.host.startsWith('*.')) return null
  if (cert?.nextAttemptAt) return cert.nextAttemptAt
  if (!cert?.notBefore || !cert.notAfter || cert.source !== 'acme') return null
  return renewalTime(cert.notBefore, cert.notAfter)
}

/** True when `domain` needs an order at `now`, given its certificate state. */
export function isDue(
  domain: Pick<DomainRecord, 'tls' | 'host'>,
  cert: CertificateSummary | undefined,
  now: Date,
): boolean {
  if (domain.tls !== 'acme' || domain.host.startsWith('*.')) return false
  if (cert?.nextAttemptAt && cert.nextAttemptAt > now) return false
  // An uploaded certificate for a domain switched to ACME is replaced at once.
  if (!cert?.notBefore || !cert.notAfter || cert.source !== 'acme') return true
  return renewalTime(cert.notBefore, cert.notAfter) <= now
}

/** The wait before attempt `attempts + 1`: 30 s doubling, at most 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempts, 20))
}

export function createAcmeJob(options: {
  store: Store
  cipher: SecretCipher
  order: OrderCertificate
  holder: string
  logger: Logger
  now?: () => Date
}): AcmeJob {
  const { store, cipher, order, holder, logger } = options
  const now = options.now ?? (() => new Date())
  let nextDue: Date | null = null

  const orderOne = async (host: string): Promise<void> => {
    const lease = `acme:${host}`
    if (!(await store.tryAcquireLease(lease, holder, ORDER_LEASE_MS, now()))) return
    try {
      // Another gateway may have stored it between our listing and the lease.
      const [domain, cert] = await Promise.all([store.getDomain(host), store.getCertificate(host)])
      if (!domain || !isDue(domain, cert ?? undefined, now())) return
      logger.info('ordering a certificate', { host })
      try {
        const issued = await order(host)
        const keyCiphertext = await cipher.encrypt(
          new TextEncoder().encode(issued.keyPem),
          certificateKeyData(host),
        )
        // The domain may have been deleted while the CA worked: store nothing for a domain that is gone.
        if (!(await store.getDomain(host))) return
        await store.saveCertificate(host, {
          source: 'acme',
          chainPem: issued.chainPem,
          keyCiphertext,
          notBefore: issued.notBefore,
          notAfter: issued.notAfter,
        })
        logger.info('certificate stored', { host, notAfter: issued.notAfter.toISOString() })
      } catch (error) {
        const message = describe(error)
        const attempts = cert?.attempts ?? 0
        logger.warn('ordering a certificate failed', { host, error: message })
        await store.recordCertificateFailure(
          host,
          message,
          new Date(now().getTime() + retryDelayMs(attempts)),
        )
      }
    } finally {
      await store.releaseLease(lease, holder)
    }
  }

  return {
    async runOnce() {
      await store.pruneAcmeChallenges(now())
      // Certificates first: a domain created (then given a certificate) after this read is in the
      // domains read next, so its certificate is never mistaken for an orphan below.
      const certificates = await store.listCertificates()
      const domains = await store.listDomains()
      const byHost = new Map(certificates.map((c) => [c.host, c]))
      const at = now()
      const due = domains.filter((d) => isDue(d, byHost.get(d.host), at)).map((d) => d.host)
      for (let i = 0; i < due.length; i += PARALLEL_ORDERS) {
        await Promise.all(due.slice(i, i + PARALLEL_ORDERS).map(orderOne))
      }
      // After the orders: their new certificates and failures decide when the next one is due.
      const after = new Map((await store.listCertificates()).map((c) => [c.host, c]))
      nextDue = null
      for (const d of domains) {
        const at = dueAt(d, after.get(d.host))
        if (at && (nextDue === null || at < nextDue)) nextDue = at
      }
      // Certificates of domains that are gone are not kept (nor their keys).
      const live = new Set(domains.map((d) => d.host))
      for (const c of certificates) if (!live.has(c.host)) await store.deleteCertificate(c.host)
    },

    nextDueAt: () => nextDue,
  }
}

/** An ACME problem document's detail, or the error's message; bounded, for the store and the API. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message
}
