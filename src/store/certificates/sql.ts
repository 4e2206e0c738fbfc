/**
 * @module
 * The CertificateStore over SQL, for every dialect.
 */
import { asc, eq, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { CertificateRecord, CertificateStore, CertificateSummary } from './types.ts'

function toSummary(r: Omit<Row<'certificates'>, 'chainPem' | 'keyCiphertext'>): CertificateSummary {
  return {
    host: r.host,
    source: r.source,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    version: r.version,
    lastError: r.lastError,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    updatedAt: r.updatedAt,
  }
}

/** The CertificateStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function certificateStore({ db, tables: { certificates } }: Dialect): CertificateStore {
  // The listing never reads the PEM or the key: gateways poll it to notice new certificates.
  const summaryColumns = {
    host: certificates.host,
    source: certificates.source,
    notBefore: certificates.notBefore,
    notAfter: certificates.notAfter,
    version: certificates.version,
    lastError: certificates.lastError,
    attempts: certificates.attempts,
    nextAttemptAt: certificates.nextAttemptAt,
    updatedAt: certificates.updatedAt,
  }
  return {
    async listCertificates() {
      const rows = await db.select(summaryColumns).from(certificates).orderBy(asc(certificates.host))
      return rows.map(toSummary)
    },

    async getCertificate(host) {
      const [row] = await db.select().from(certificates).where(eq(certificates.host, host))
      if (!row) return null
      const record: CertificateRecord = {
        ...toSummary(row),
        chainPem: row.chainPem,
        keyCiphertext: row.keyCiphertext,
      }
      return record
    },

    async saveCertificate(host, certificate) {
      const now = new Date()
      const fresh = { ...certificate, lastError: null, attempts: 0, nextAttemptAt: null, updatedAt: now }
      const [row] = await db
        .insert(certificates)
        .values({ host, ...fresh, version: 1 })
        .onConflictDoUpdate({
          target: certificates.host,
          set: { ...fresh, version: sql`${certificates.version} + 1` },
        })
        .returning(summaryColumns)
      if (!row) throw new Error(`saving the certificate of ${host} returned no row`)
      return toSummary(row)
    },

    async recordCertificateFailure(host, error, nextAttemptAt) {
      const now = new Date()
      await db
        .insert(certificates)
        .values({ host, version: 0, lastError: error, attempts: 1, nextAttemptAt, updatedAt: now })
        .onConflictDoUpdate({
          target: certificates.host,
          set: {
            lastError: error,
            attempts: sql`${certificates.attempts} + 1`,
            nextAttemptAt,
            updatedAt: now,
          },
        })
    },

    async deleteCertificate(host) {
      const rows = await db
        .delete(certificates)
        .where(eq(certificates.host, host))
        .returning({ host: certificates.host })
      return rows.length > 0
    },
  }
}
