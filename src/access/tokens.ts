/**
 * @module
 * API tokens: `eft_<id>_<secret>`. The id (16 hex digits) is public and is the store's lookup key; the
 * secret (32 random bytes, base64url) is shown once at creation and kept only as its SHA-256. A hash of a
 * 256-bit random secret needs no salt or slow KDF: there is nothing to guess from, unlike a password.
 * The hash is compared in constant time all the same.
 */
import { timingSafeEqual } from 'hono/utils/buffer'
import type { ApiTokenRecord } from '../store/types.ts'
import { type Grant, isScope, type Scope } from './scopes.ts'

const TOKEN_PATTERN = /^eft_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

export interface ParsedToken {
  id: string
  secret: string
}

export function parseToken(text: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(text)
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : null
}

/** The token from an `Authorization: Bearer …` header; null for another scheme or an empty token. */
export function bearerOf(header: string | null | undefined): string | null {
  if (!header) return null
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header)
  return match?.[1] ?? null
}

export function newToken(): { id: string; secret: string; token: string } {
  const idBytes = crypto.getRandomValues(new Uint8Array(8))
  const id = [...idBytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)))
  return { id, secret, token: `eft_${id}_${secret}` }
}

export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** The grant a stored token gives at `now`, or null when the secret is wrong or the token is revoked or expired. */
export async function grantFor(
  record: ApiTokenRecord | null,
  secret: string,
  now: number,
): Promise<Extract<Grant, { kind: 'token' }> | null> {
  // Hashing before the lookup result is looked at keeps a missing id as slow as a wrong secret.
  const given = await hashSecret(secret)
  if (!record) return null
  if (!(await timingSafeEqual(given, record.secretHash))) return null
  if (record.revokedAt !== null) return null
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return null
  return {
    kind: 'token',
    id: record.id,
    scopes: new Set(record.scopes.filter(isScope) as Scope[]),
    namespaces: record.namespaces.includes('*') ? '*' : new Set(record.namespaces),
    functions: record.functions === null ? null : new Set(record.functions),
  }
}

function base64url(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
