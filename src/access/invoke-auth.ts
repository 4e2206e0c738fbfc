/**
 * @module
 * Who may call a function, from its `edgefaas.dev/auth` annotation:
 * - `public` (the default): anyone, as in OpenFaaS.
 * - `token`: an API token with the `invoke` scope for the function's namespace (and, if the token lists
 *   functions, for this one), in `Authorization: Bearer`. With `edgefaas.dev/auth-query-param: <name>`
 *   the token may come in that query parameter instead (for webhooks that cannot set headers); it is
 *   removed before the call is forwarded.
 * - `jwt`: a JWT checked as jwt.ts says; chosen claims are forwarded as `X-Jwt-Claim-*` headers.
 * - `private`: never over HTTP (`/function/…` answers 404, as for a function that does not exist);
 *   only queued calls run it, and queuing one over HTTP (`POST /async-function/…`) needs an invoke token
 *   for it, else the same 404.
 * For `token` and `jwt` the credential is not forwarded to the function (it could replay it), and
 * headers a caller could use to impersonate (`X-Jwt-Claim-*`, `X-Edgefaas-Token-Id`) are replaced.
 * Refusals say what is missing, never which check failed: 401 for no or a bad credential, 403 for a
 * valid token without the right to call this function.
 */
import type { JwtPolicy } from './jwt.ts'
import { jwtPolicy } from './jwt.ts'

export const AUTH_ANNOTATION = 'edgefaas.dev/auth'
export const AUTH_QUERY_ANNOTATION = 'edgefaas.dev/auth-query-param'
export const TOKEN_ID_HEADER = 'x-edgefaas-token-id'

export type InvokeAuthPolicy =
  | { mode: 'public' }
  | { mode: 'private' }
  | { mode: 'token'; queryParam: string | null }
  | { mode: 'jwt'; jwt: JwtPolicy }

const MODES = ['public', 'token', 'jwt', 'private']

/** The policy, or a message naming the annotation to fix. */
export function invokeAuthPolicy(annotations: Record<string, string>): InvokeAuthPolicy | string {
  const mode = annotations[AUTH_ANNOTATION] ?? 'public'
  const queryParam = annotations[AUTH_QUERY_ANNOTATION]
  if (queryParam !== undefined && mode !== 'token')
    return `annotation ${AUTH_QUERY_ANNOTATION} applies only with ${AUTH_ANNOTATION}: token`
  switch (mode) {
    case 'public':
    case 'private':
      return { mode }
    case 'token':
      if (queryParam !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(queryParam))
        return `annotation ${AUTH_QUERY_ANNOTATION} must be a query parameter name (letters, digits, "_", "-", ".")`
      return { mode, queryParam: queryParam ?? null }
    case 'jwt': {
      const jwt = jwtPolicy(annotations)
      return typeof jwt === 'string' ? jwt : { mode, jwt }
    }
    default:
      return `annotation ${AUTH_ANNOTATION} must be one of ${MODES.join(', ')}`
  }
}

/** `search` without parameter `name` (every occurrence), keeping the rest byte for byte. */
export function withoutQueryParam(search: string, name: string): { search: string; value: string | null } {
  if (search === '' || search === '?') return { search, value: null }
  let value: string | null = null
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=')
      const key = decodeLenient(eq === -1 ? pair : pair.slice(0, eq))
      if (key !== name) return true
      value ??= decodeLenient(eq === -1 ? '' : pair.slice(eq + 1))
      return false
    })
  return { search: kept.length > 0 ? `?${kept.join('&')}` : '', value }
}

function decodeLenient(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}
