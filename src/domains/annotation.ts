/**
 * @module
 * `edgefaas.dev/domains`: the custom domains a function declares in its own deployment (stack.yml
 * `annotations:`), so faas-cli can set them: a comma-separated list of `host[/path-prefix]`, e.g.
 * `api.example.com/v1, *.env.example.com`. `edgefaas.dev/domains-redirect-https: "true"` sends their plain
 * HTTP to HTTPS. The function owns these domains: they go when the annotation drops them or the
 * function is deleted.
 */
import { checkDomainHost, checkPathPrefix } from './host.ts'

export const DOMAINS_ANNOTATION = 'edgefaas.dev/domains'
export const DOMAINS_REDIRECT_ANNOTATION = 'edgefaas.dev/domains-redirect-https'
const MAX_DOMAINS = 50

export interface AnnotatedDomain {
  host: string
  pathPrefix: string
}

/** The domains an annotation value declares, or a problem for a 400. */
export function parseDomainsAnnotation(
  value: string | undefined,
): { domains: AnnotatedDomain[] } | { problem: string } {
  if (value === undefined || value.trim() === '') return { domains: [] }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
  if (entries.length > MAX_DOMAINS) {
    return { problem: `annotation ${DOMAINS_ANNOTATION}: at most ${MAX_DOMAINS} domains` }
  }
  const domains: AnnotatedDomain[] = []
  const seen = new Set<string>()
  for (const entry of entries) {
    const slash = entry.indexOf('/')
    const hostPart = slash === -1 ? entry : entry.slice(0, slash)
    const host = checkDomainHost(hostPart)
    if ('problem' in host) return { problem: `annotation ${DOMAINS_ANNOTATION}: ${host.problem}` }
    const prefix = checkPathPrefix(slash === -1 ? undefined : entry.slice(slash))
    if ('problem' in prefix) return { problem: `annotation ${DOMAINS_ANNOTATION}: ${prefix.problem}` }
    if (seen.has(host.host)) {
      return { problem: `annotation ${DOMAINS_ANNOTATION}: ${host.host} is listed twice` }
    }
    seen.add(host.host)
    domains.push({ host: host.host, pathPrefix: prefix.prefix })
  }
  return { domains }
}

/** The redirect annotation, or a problem. */
export function parseRedirectAnnotation(value: string | undefined): boolean | { problem: string } {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'true') return true
  return { problem: `annotation ${DOMAINS_REDIRECT_ANNOTATION}: must be "true" or "false"` }
}
