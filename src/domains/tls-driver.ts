/**
 * @module
 * What a runtime that terminates TLS itself (Node) gives the core for custom domains: a check of uploaded
 * certificates (X.509 parsing is not a Web API) and, when ACME is configured, a way to order now. On
 * Workers TLS is the platform's: there is no driver, uploads answer 501 and nothing is ordered.
 */

export interface InspectedCertificate {
  notBefore: Date
  notAfter: Date
  /** The DNS names the leaf certificate covers (subjectAltName, else the common name). */
  names: string[]
}

export interface TlsDriver {
  /**
   * Checks an uploaded PEM chain (leaf first) and PEM private key for `host` (`*.example.com` for a
   * wildcard domain): both parse, the key is the leaf's, the leaf covers the host and is valid now, and
   * each certificate is issued by the next. Returns the details, or what is wrong in words for a 400.
   */
  inspect(chainPem: string, keyPem: string, host: string): InspectedCertificate | { problem: string }
  /** The port the HTTPS listener is bound to, once it is; null when there is none. */
  httpsPort(): number | null
  /** null when ACME is not configured (EDGEFAAS_ACME_DIRECTORY_URL unset). */
  acme: {
    /** Starts an ordering pass soon (a domain was created or changed), instead of at the next tick. */
    kick(): void
  } | null
}

/** The associated data that ties a certificate key's ciphertext to its host. */
export function certificateKeyData(host: string): string {
  return `certificate-key:${host}`
}

/** The associated data that ties an ACME account key's ciphertext to its directory. */
export function acmeAccountKeyData(directoryUrl: string): string {
  return `acme-account-key:${directoryUrl}`
}
