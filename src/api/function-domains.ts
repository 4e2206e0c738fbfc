/**
 * @module
 * The domains a function declares in its `edgefaas.dev/domains` annotation, kept in step with its deploys:
 * claimed before the function is written (a host another function owns is a 409 naming it, and nothing
 * is written), the ones the annotation dropped removed once the write succeeded, and all of them removed
 * with the function. Domains made through /system/domains are not touched.
 */
import type { GatewayDeps } from '../deps.ts'
import {
  DOMAINS_ANNOTATION,
  DOMAINS_REDIRECT_ANNOTATION,
  parseDomainsAnnotation,
  parseRedirectAnnotation,
} from '../domains/annotation.ts'
import { ApiError } from '../errors.ts'
import { ownedBy, refuseUnderOtherNamespace, validHost } from './domains.ts'

export interface DomainClaim {
  /** After the function was written: drop the domains the annotation no longer lists. */
  commit(): Promise<void>
  /** The function write failed: give back the hosts this claim created. */
  rollback(): Promise<void>
}

/** Checks the annotations (400) and claims their hosts for `namespace/name` (409 when owned elsewhere). */
export async function claimFunctionDomains(
  deps: GatewayDeps,
  namespace: string,
  name: string,
  annotations: Record<string, string> | null | undefined,
): Promise<DomainClaim> {
  annotations ??= {}
  const parsed = parseDomainsAnnotation(annotations[DOMAINS_ANNOTATION])
  if ('problem' in parsed) throw new ApiError('BAD_REQUEST', `validation failed: ${parsed.problem}`)
  const redirectHttps = parseRedirectAnnotation(annotations[DOMAINS_REDIRECT_ANNOTATION])
  if (typeof redirectHttps !== 'boolean') {
    throw new ApiError('BAD_REQUEST', `validation failed: ${redirectHttps.problem}`)
  }
  for (const d of parsed.domains) validHost(deps, d.host)
  for (const d of parsed.domains) await refuseUnderOtherNamespace(deps, d.host, namespace)

  const created: string[] = []
  const rollback = async () => {
    for (const host of created) await deps.store.deleteDomain(host)
    if (created.length > 0) deps.domains.invalidate()
  }
  for (const d of parsed.domains) {
    const wildcard = d.host.startsWith('*.')
    const claimed = await deps.store.claimDomain({
      host: d.host,
      namespace,
      functionName: name,
      pathPrefix: d.pathPrefix,
      redirectHttps,
      tls: deps.tls?.acme && !wildcard ? 'acme' : 'none',
      source: 'annotation',
    })
    if (!claimed) {
      await rollback()
      const owner = await deps.store.getDomain(d.host)
      throw owner ? ownedBy(owner) : new ApiError('CONFLICT', `host ${d.host} was just taken; try again`)
    }
    if (claimed.created) created.push(d.host)
  }
  const keep = parsed.domains.map((d) => d.host)
  return {
    async commit() {
      const dropped = await deps.store.deleteAnnotationDomains(namespace, name, keep)
      for (const host of dropped) await deps.store.deleteCertificate(host)
      if (keep.length > 0 || dropped.length > 0) {
        deps.domains.invalidate()
        deps.tls?.acme?.kick()
      }
    },
    rollback,
  }
}

/** The function is deleted: its annotation domains go with it. */
export async function releaseFunctionDomains(
  deps: GatewayDeps,
  namespace: string,
  name: string,
): Promise<void> {
  const dropped = await deps.store.deleteAnnotationDomains(namespace, name, [])
  for (const host of dropped) await deps.store.deleteCertificate(host)
  if (dropped.length > 0) deps.domains.invalidate()
}
