/**
 * @module
 * Deploy-time checks of the access annotations (`edgefaas.dev/auth` and its `jwt-*` and `auth-query-param`
 * companions, `edgefaas.dev/rate-limit[-per-caller]`), called from api/function-settings.ts: a function is
 * never deployed with an access setting the gateway would read differently from what its author meant.
 * A JWKS URL is an address the gateway fetches, so it passes the same checks as callback URLs, and must
 * be https unless its host is allowed by EDGEFAAS_CALLBACK_ALLOW (keys fetched in clear could be swapped).
 */
import {
  addressAllowed,
  type CallbackPolicy,
  checkCallbackUrl,
  hostAllowed,
  hostOf,
} from '../queue/callback-policy.ts'

const NOTHING_ALLOWED: CallbackPolicy = { hosts: new Set(), cidrs: [] }

import { AUTH_ANNOTATION, AUTH_QUERY_ANNOTATION, invokeAuthPolicy } from './invoke-auth.ts'
import {
  JWT_ALGORITHMS_ANNOTATION,
  JWT_AUDIENCE_ANNOTATION,
  JWT_CLAIMS_ANNOTATION,
  JWT_ISSUER_ANNOTATION,
  JWT_JWKS_URL_ANNOTATION,
  JWT_PUBLIC_KEY_ANNOTATION,
} from './jwt.ts'
import { CALLER_RATE_LIMIT_ANNOTATION, RATE_LIMIT_ANNOTATION, rateLimitPolicy } from './rate-limit/policy.ts'

export const ACCESS_ANNOTATIONS = [
  AUTH_ANNOTATION,
  AUTH_QUERY_ANNOTATION,
  JWT_JWKS_URL_ANNOTATION,
  JWT_PUBLIC_KEY_ANNOTATION,
  JWT_ALGORITHMS_ANNOTATION,
  JWT_ISSUER_ANNOTATION,
  JWT_AUDIENCE_ANNOTATION,
  JWT_CLAIMS_ANNOTATION,
  RATE_LIMIT_ANNOTATION,
  CALLER_RATE_LIMIT_ANNOTATION,
]

export function accessSettingsProblem(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  callbackPolicy: CallbackPolicy | undefined,
): string | null {
  for (const key of ACCESS_ANNOTATIONS) {
    if (key in labels && !(key in annotations))
      return `${key} is read from annotations, not labels: move it to annotations`
  }
  const auth = invokeAuthPolicy(annotations)
  if (typeof auth === 'string') return auth
  const limits = rateLimitPolicy(annotations)
  if (typeof limits === 'string') return limits
  if (auth.mode !== 'jwt' && Object.keys(annotations).some((k) => k.startsWith('edgefaas.dev/jwt-')))
    return `the edgefaas.dev/jwt-* annotations apply only with ${AUTH_ANNOTATION}: jwt`
  if (auth.mode === 'jwt' && auth.jwt.jwksUrl !== null) {
    const policy = callbackPolicy ?? NOTHING_ALLOWED
    const verdict = checkCallbackUrl(auth.jwt.jwksUrl, policy)
    if (!verdict.ok)
      return `annotation ${JWT_JWKS_URL_ANNOTATION}: ${verdict.reason.replace('X-Callback-Url', 'the URL')}`
    const host = hostOf(verdict.url)
    // Listed by the operator: a host name in the allow list, or an address only the allow list admits.
    const listed =
      hostAllowed(host, policy) || (addressAllowed(host, policy) && !addressAllowed(host, NOTHING_ALLOWED))
    if (verdict.url.protocol !== 'https:' && !listed)
      return `annotation ${JWT_JWKS_URL_ANNOTATION} must use https (keys fetched in clear could be replaced on the way)`
  }
  return null
}
