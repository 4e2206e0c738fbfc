/**
 * @module
 * Custom domains: which function a host belongs to, and how its requests are mapped (docs/domains.md).
 */

/** How a domain gets its certificate: ordered over ACME, uploaded by the admin, or none (HTTP only). */
export type DomainTls = 'acme' | 'uploaded' | 'none'

/** `api`: made through /system/domains. `annotation`: owned by the function's `edgefaas.dev/domains`. */
export type DomainSource = 'api' | 'annotation'

export interface DomainRecord {
  /** Normalised: lower-case ASCII (IDNA), no trailing dot, no port; `*.example.com` for a wildcard. */
  host: string
  namespace: string
  functionName: string
  /** `/` or `/v1` (no trailing slash): requests under it reach the function with the prefix taken off. */
  pathPrefix: string
  /** Plain-HTTP requests get a 308 to the same URL over HTTPS. */
  redirectHttps: boolean
  tls: DomainTls
  source: DomainSource
  createdAt: Date
  updatedAt: Date
}

export type NewDomain = Omit<DomainRecord, 'createdAt' | 'updatedAt'>

/** What an update may change; the owner's namespace never changes (delete and create instead). */
export type DomainChange = Pick<DomainRecord, 'functionName' | 'pathPrefix' | 'redirectHttps' | 'tls'>

export interface DomainStore {
  /** Every domain, or a namespace's, or one function's; ordered by host. */
  listDomains(filter?: { namespace?: string; functionName?: string }): Promise<DomainRecord[]>
  getDomain(host: string): Promise<DomainRecord | null>
  /** false when the host is taken (by anyone). */
  createDomain(domain: NewDomain): Promise<boolean>
  /** Updates the domain when `namespace` owns it; null when it does not exist or another namespace owns it. */
  updateDomain(host: string, namespace: string, change: DomainChange): Promise<DomainRecord | null>
  /**
   * A function claims `domain.host` for its annotation: created when free, its mapping updated when this
   * same function owns it already (its `source` is kept), refused (null) when another function owns it.
   * Returns the row and whether it was created by this call.
   */
  claimDomain(domain: NewDomain): Promise<{ record: DomainRecord; created: boolean } | null>
  /** false when it did not exist. */
  deleteDomain(host: string): Promise<boolean>
  /** Drops the annotation domains of a function whose host is not in `keep`; returns the hosts dropped. */
  deleteAnnotationDomains(namespace: string, functionName: string, keep: string[]): Promise<string[]>
}
