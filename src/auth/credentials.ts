/**
 * @module
 * Admin credential checks. Both the user and the password are compared in constant time and both
 * comparisons always run, so neither a wrong user nor a wrong password is faster to detect
 * (faas-provider compares the user with `!=`; see anchors.md §4.2).
 */
import { timingSafeEqual } from 'hono/utils/buffer'

export interface AdminCredentials {
  user: string
  password: string
}

/** Parses an `Authorization: Basic …` header; null for any other scheme or a malformed value. */
export function parseBasicAuth(header: string | undefined): AdminCredentials | null {
  if (!header) return null
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header)
  if (!match?.[1]) return null
  let decoded: string
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0)))
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon === -1) return null
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** True when `given` matches `expected`, in time independent of where they differ. */
export async function credentialsMatch(
  given: AdminCredentials,
  expected: AdminCredentials,
): Promise<boolean> {
  const [userOk, passwordOk] = await Promise.all([
    timingSafeEqual(given.user, expected.user),
    timingSafeEqual(given.password, expected.password),
  ])
  return userOk && passwordOk
}
