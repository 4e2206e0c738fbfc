/**
 * @module
 * Turns a bearer token into a grant, reading the store. The invocation path would otherwise pay a store
 * round trip per call, so verified tokens are remembered for `cacheMs` (1 s by default): a token revoked
 * through another gateway stops working there within that time, through this one at once (`forget`).
 * Only successes are cached (in process memory), and never past the token's expiry.
 */
import type { Store } from '../store/types.ts'
import type { Grant } from './scopes.ts'
import { grantFor, parseToken } from './tokens.ts'

type TokenGrant = Extract<Grant, { kind: 'token' }>

export interface TokenVerifier {
  verify(token: string): Promise<TokenGrant | null>
  /** Drops cached grants of token `id` (after a revoke through this gateway). */
  forget(id: string): void
}

const MAX_CACHED = 10_000

export function createTokenVerifier(
  store: Pick<Store, 'getApiToken'>,
  options: { cacheMs?: number; now?: () => number } = {},
): TokenVerifier {
  const cacheMs = options.cacheMs ?? 1000
  const now = options.now ?? Date.now
  const cache = new Map<string, { grant: TokenGrant; until: number; expiresAt: number }>()
  return {
    async verify(token) {
      const parsed = parseToken(token)
      if (!parsed) return null
      const at = now()
      const cached = cache.get(token)
      if (cached && cached.until > at && cached.expiresAt > at) return cached.grant
      const record = await store.getApiToken(parsed.id)
      const grant = await grantFor(record, parsed.secret, at)
      if (grant === null) {
        cache.delete(token)
        return null
      }
      if (cacheMs > 0) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
        cache.set(token, {
          grant,
          until: at + cacheMs,
          expiresAt: record?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
        })
      }
      return grant
    },
    forget(id) {
      for (const [key, value] of cache) if (value.grant.id === id) cache.delete(key)
    },
  }
}
