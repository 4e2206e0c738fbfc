/**
 * @module
 * Options of the openfaas provider, checked once when it is created so a bad backend entry fails with a
 * message saying what to fix rather than on the first call.
 */
import { bytesToBase64 } from '../../src/base64.ts'
import { DEFAULT_NAMESPACE, isDns1123Label } from '../../src/contract/names.ts'
import type { HttpClient } from '../../src/http/client.ts'
import type { ProviderCapabilities } from '../types.ts'

/** Basic auth as the OpenFaaS gateway and faas-provider take it, or a bearer token (Pro IAM, proxies). */
export type OpenFaasCredentials = { username: string; password: string } | { token: string }

/**
 * How the gateway's namespaces reach the backend (see docs/backends.md):
 * - `auto` (default): asked from the backend's `/system/namespaces`. A backend that answers 404 or `[]`
 *   has no namespaces; one that lists namespaces gets names passed through, created there when missing
 *   (`POST /system/namespace/`), and when it cannot create them and lists exactly one, that one serves
 *   the gateway's default namespace.
 * - `passthrough`: names are passed through unchanged, nothing is asked or created.
 * - `{ backend, serves }`: the backend has one namespace (`backend`, or none when null) and it holds the
 *   gateway's namespace `serves`; functions of any other namespace are refused (INVALID), never merged
 *   into it, where same-named functions of two namespaces would overwrite each other.
 */
export type OpenFaasNamespaces = 'auto' | 'passthrough' | { backend: string | null; serves: string }

export interface OpenFaasProviderOptions {
  /** Base URL of the backend's API: an OpenFaaS gateway, faas-netes or faasd, or another edgefaas. */
  url: string
  /** Sent on `/system/*` calls only; invocations carry the caller's own `Authorization`, as in OpenFaaS. */
  credentials?: OpenFaasCredentials | undefined
  http: HttpClient
  namespaces?: OpenFaasNamespaces | undefined
  /** This gateway's default namespace, which a backend with one namespace or none serves. Default `openfaas-fn`. */
  defaultNamespace?: string | undefined
  /**
   * Who brings a function with no ready replica back. `edgefaas` (default): invoke throws NOT_READY
   * before reading the body, and this gateway scales the function and resends (or picks another
   * backend). `backend`: the call is sent anyway, for a backend gateway that holds it while it scales
   * from zero itself (OpenFaaS with `scale_from_zero=true`, or another edgefaas).
   */
  scaleFromZero?: 'edgefaas' | 'backend' | undefined
  /**
   * How long a function seen ready is invoked without asking the backend again (default 1000 ms). After
   * that, calls go on while one status request refreshes it in the background.
   */
  readyCacheMs?: number | undefined
  /** Deadline of each `/system/*` call (default 30 s); a backend that does not answer is UNAVAILABLE. */
  timeoutMs?: number | undefined
  /** Overrides what the backend is assumed to support, e.g. `{ scaleToZero: false }` for faas-netes CE. */
  capabilities?: Partial<ProviderCapabilities> | undefined
}

export interface ResolvedOptions {
  /** The URL without a trailing slash; `/system/...` and `/function/...` are appended. */
  base: string
  /** The URL as shown in messages: no credentials can be in it. */
  shown: string
  authorization: string | null
  http: HttpClient
  namespaces: OpenFaasNamespaces
  defaultNamespace: string
  scaleFromZero: 'edgefaas' | 'backend'
  readyCacheMs: number
  timeoutMs: number
  capabilities: ProviderCapabilities
}

export function resolveOptions(options: OpenFaasProviderOptions): ResolvedOptions {
  const base = checkUrl(options.url)
  const defaultNamespace = options.defaultNamespace ?? DEFAULT_NAMESPACE
  if (!isDns1123Label(defaultNamespace)) throw new TypeError('defaultNamespace must be a DNS-1123 label')
  const namespaces = options.namespaces ?? 'auto'
  if (typeof namespaces === 'object') {
    if (!isDns1123Label(namespaces.serves))
      throw new TypeError('namespaces.serves must be a DNS-1123 label, the gateway namespace it holds')
    if (namespaces.backend !== null && !/^[-a-zA-Z_0-9.]+$/.test(namespaces.backend))
      throw new TypeError(
        'namespaces.backend must be a namespace name, or null for a backend without namespaces',
      )
  } else if (namespaces !== 'auto' && namespaces !== 'passthrough') {
    throw new TypeError('namespaces must be "auto", "passthrough" or { backend, serves }')
  }
  return {
    base,
    shown: base,
    authorization: authorizationOf(options.credentials),
    http: options.http,
    namespaces,
    defaultNamespace,
    scaleFromZero: options.scaleFromZero ?? 'edgefaas',
    readyCacheMs: positive(options.readyCacheMs, 1_000, 'readyCacheMs'),
    timeoutMs: positive(options.timeoutMs, 30_000, 'timeoutMs'),
    capabilities: {
      scale: true,
      scaleToZero: true,
      logs: true,
      secrets: true,
      namespaces: typeof namespaces !== 'object',
      ...options.capabilities,
    },
  }
}

function checkUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TypeError('url must be an absolute http(s) URL such as https://gateway.example.com')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('url must start with http:// or https://')
  if (url.username || url.password)
    throw new TypeError('url must not hold credentials: give them as credentials { username, password }')
  if (url.search || url.hash) throw new TypeError('url must not have a query or a fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function authorizationOf(credentials: OpenFaasCredentials | undefined): string | null {
  if (!credentials) return null
  if ('token' in credentials) {
    if (!/^[\x21-\x7e]+$/.test(credentials.token))
      throw new TypeError('credentials.token must be non-empty printable ASCII without spaces')
    return `Bearer ${credentials.token}`
  }
  const { username, password } = credentials
  if (!username || username.includes(':') || /[\r\n]/.test(username + password))
    throw new TypeError('credentials.username must be non-empty and without ":" or line breaks')
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${username}:${password}`))}`
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`)
  return value
}
