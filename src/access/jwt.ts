/**
 * @module
 * JWT checks for functions with `edgefaas.dev/auth: jwt`, with `jose`. The function's annotations fix
 * everything a token could otherwise choose for itself:
 * - `edgefaas.dev/jwt-algorithms` (required): the accepted `alg` values, asymmetric only (RS*, PS*, ES*,
 *   EdDSA). `none` and the HMAC family are refused at deploy: an HMAC key would have to sit in an
 *   annotation any reader can see, and with only asymmetric algorithms a public key can never be used as
 *   an HMAC secret (the HS/RS confusion).
 * - `edgefaas.dev/jwt-jwks-url` or `edgefaas.dev/jwt-public-key` (one of them): where keys come from.
 *   A JWKS is cached and refetched by jose (at most every 30 s, and when a token names an unknown `kid`).
 * - `edgefaas.dev/jwt-issuer` and `edgefaas.dev/jwt-audience` (both required): tokens minted for another
 *   application of the same identity provider are refused.
 * - `edgefaas.dev/jwt-claims`: claims forwarded to the function as `X-Jwt-Claim-<Name>` (default `sub`).
 * `exp` is required; 30 s of clock skew is tolerated.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  importSPKI,
  type JWTPayload,
  jwtVerify,
} from 'jose'

export const JWT_JWKS_URL_ANNOTATION = 'edgefaas.dev/jwt-jwks-url'
export const JWT_PUBLIC_KEY_ANNOTATION = 'edgefaas.dev/jwt-public-key'
export const JWT_ALGORITHMS_ANNOTATION = 'edgefaas.dev/jwt-algorithms'
export const JWT_ISSUER_ANNOTATION = 'edgefaas.dev/jwt-issuer'
export const JWT_AUDIENCE_ANNOTATION = 'edgefaas.dev/jwt-audience'
export const JWT_CLAIMS_ANNOTATION = 'edgefaas.dev/jwt-claims'
export const CLAIM_HEADER_PREFIX = 'x-jwt-claim-'

const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
])

export interface JwtPolicy {
  jwksUrl: string | null
  publicKey: string | null
  algorithms: string[]
  issuer: string
  audience: string
  claims: string[]
}

/** The policy from the annotations, or a message naming the annotation to fix. */
export function jwtPolicy(annotations: Record<string, string>): JwtPolicy | string {
  const jwksUrl = annotations[JWT_JWKS_URL_ANNOTATION] ?? null
  const publicKey = annotations[JWT_PUBLIC_KEY_ANNOTATION] ?? null
  if ((jwksUrl === null) === (publicKey === null))
    return `edgefaas.dev/auth "jwt" needs exactly one of ${JWT_JWKS_URL_ANNOTATION} and ${JWT_PUBLIC_KEY_ANNOTATION}`
  if (
    publicKey !== null &&
    !publicKey.includes('-----BEGIN PUBLIC KEY-----') &&
    !publicKey.trim().startsWith('{')
  )
    return `annotation ${JWT_PUBLIC_KEY_ANNOTATION} must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK as JSON`
  const algText = annotations[JWT_ALGORITHMS_ANNOTATION]
  if (!algText)
    return `edgefaas.dev/auth "jwt" needs ${JWT_ALGORITHMS_ANNOTATION}, the accepted algorithms, e.g. RS256 or ES256,EdDSA`
  const algorithms = algText
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  const bad = algorithms.find((a) => !ASYMMETRIC.has(a))
  if (bad !== undefined || algorithms.length === 0)
    return `annotation ${JWT_ALGORITHMS_ANNOTATION}: "${bad ?? ''}" is not accepted; use asymmetric algorithms only (${[...ASYMMETRIC].join(', ')}). "none" and HS* are refused`
  const issuer = annotations[JWT_ISSUER_ANNOTATION]
  const audience = annotations[JWT_AUDIENCE_ANNOTATION]
  if (!issuer) return `edgefaas.dev/auth "jwt" needs ${JWT_ISSUER_ANNOTATION}, the issuer tokens must name`
  if (!audience)
    return `edgefaas.dev/auth "jwt" needs ${JWT_AUDIENCE_ANNOTATION}, the audience tokens must name`
  const claims = (annotations[JWT_CLAIMS_ANNOTATION] ?? 'sub')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
  const badClaim = claims.find((c) => !/^[A-Za-z0-9_-]{1,64}$/.test(c))
  if (badClaim !== undefined || claims.length > 32)
    return `annotation ${JWT_CLAIMS_ANNOTATION} must be a comma-separated list of at most 32 claim names (letters, digits, "_" and "-")`
  return { jwksUrl, publicKey, algorithms, issuer, audience, claims }
}

export interface JwtVerifier {
  /** The verified payload, or null for any failure (the caller says only "invalid token"). */
  verify(token: string, policy: JwtPolicy): Promise<JWTPayload | null>
}

type KeyInput = Parameters<typeof jwtVerify>[1]

export function createJwtVerifier(options: { fetchTimeoutMs?: number } = {}): JwtVerifier {
  const remote = new Map<string, ReturnType<typeof createRemoteJWKSet>>()
  const staticKeys = new Map<string, Promise<Awaited<ReturnType<typeof importSPKI>>>>()
  const keyFor = (policy: JwtPolicy): KeyInput => {
    if (policy.jwksUrl !== null) {
      let set = remote.get(policy.jwksUrl)
      if (!set) {
        set = createRemoteJWKSet(new URL(policy.jwksUrl), {
          timeoutDuration: options.fetchTimeoutMs ?? 5000,
          cooldownDuration: 30_000,
        })
        remote.set(policy.jwksUrl, set)
      }
      return set
    }
    const material = policy.publicKey ?? ''
    return async (header) => {
      // The header's alg is trusted only because jwtVerify has already checked it against the list.
      const alg = header.alg
      const cacheKey = `${alg}\n${material}`
      let key = staticKeys.get(cacheKey)
      if (!key) {
        key = material.trim().startsWith('{')
          ? (importJWK(JSON.parse(material), alg) as Promise<Awaited<ReturnType<typeof importSPKI>>>)
          : importSPKI(material, alg)
        staticKeys.set(cacheKey, key)
        key.catch(() => staticKeys.delete(cacheKey))
      }
      return key
    }
  }
  return {
    async verify(token, policy) {
      try {
        // A malformed token fails here cheaply, before any key is fetched.
        const header = decodeProtectedHeader(token)
        if (typeof header.alg !== 'string' || !policy.algorithms.includes(header.alg)) return null
        const { payload } = await jwtVerify(token, keyFor(policy) as never, {
          algorithms: policy.algorithms,
          issuer: policy.issuer,
          audience: policy.audience,
          requiredClaims: ['exp'],
          clockTolerance: 30,
        })
        return payload
      } catch {
        return null
      }
    },
  }
}

/** The `X-Jwt-Claim-*` headers for the function. Values outside printable ASCII are sent as JSON escapes. */
export function claimHeaders(payload: JWTPayload, claims: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const claim of claims) {
    const value = payload[claim]
    if (value === undefined) continue
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    const safe = /^[\x20-\x7e]*$/.test(text)
      ? text
      : JSON.stringify(text).replace(
          /[\u007f-\uffff]/g,
          (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
        )
    out.push([`${CLAIM_HEADER_PREFIX}${claim.toLowerCase()}`, safe.slice(0, 4096)])
  }
  return out
}
