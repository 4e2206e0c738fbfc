/**
 * @module
 * The dashboard's token login: a browser cannot put an API token in an `Authorization` header when it
 * follows a link, so `/ui/login` stores the token in this cookie and the auth middleware reads it as
 * `Bearer <token>` when a request carries no `Authorization` header. The cookie is `HttpOnly` (no script
 * reads it), `SameSite=Strict` (no other site's request carries it) and `Secure` over TLS; the token in it
 * is checked on every request exactly as a header token is, so revoking the token ends the session.
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'

export const SESSION_COOKIE = 'edgefaas_token'

/** `Bearer <token>` from the session cookie, or undefined when there is none. */
export function sessionAuthorization(c: Context): string | undefined {
  const token = getCookie(c, SESSION_COOKIE)
  // Only the token's own alphabet: a cookie cannot smuggle anything else into the header.
  return token && /^[A-Za-z0-9_-]{1,200}$/.test(token) ? `Bearer ${token}` : undefined
}
