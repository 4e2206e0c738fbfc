/**
 * @module
 * TLS certificates of custom domains, one per domain host, shared through the store by every gateway.
 * The private key is stored only as the secrets cipher's ciphertext.
 */

export type CertificateSource = 'acme' | 'uploaded'

/** What gateways and /system/domains need to know without reading the PEM or the key. */
export interface CertificateSummary {
  host: string
  /** null while no certificate was stored yet (an ACME order pending or failing). */
  source: CertificateSource | null
  notBefore: Date | null
  notAfter: Date | null
  /** Goes up by one with every certificate stored for the host. */
  version: number
  lastError: string | null
  /** Failed attempts since the last certificate was stored. */
  attempts: number
  /** When ACME may try again after a failure. */
  nextAttemptAt: Date | null
  updatedAt: Date
}

export interface CertificateRecord extends CertificateSummary {
  /** PEM: the leaf first, then the intermediates. */
  chainPem: string | null
  /** The secrets cipher's ciphertext of the PEM private key (associated data: certificateKeyData(host)). */
  keyCiphertext: string | null
}

export interface NewCertificate {
  source: CertificateSource
  chainPem: string
  keyCiphertext: string
  notBefore: Date
  notAfter: Date
}

export interface CertificateStore {
  listCertificates(): Promise<CertificateSummary[]>
  getCertificate(host: string): Promise<CertificateRecord | null>
  /** Stores a new certificate for `host` (version + 1) and clears the failure state. */
  saveCertificate(host: string, certificate: NewCertificate): Promise<CertificateSummary>
  /** Records a failed attempt, keeping any certificate already stored. */
  recordCertificateFailure(host: string, error: string, nextAttemptAt: Date): Promise<void>
  /** false when there was none. */
  deleteCertificate(host: string): Promise<boolean>
}
