/**
 * @module
 * The dashboard's writes go through the REST API in-process: the same handler faas-cli reaches, with the
 * caller's own credentials, so the same validation, messages, scope checks (src/access/route-scopes.ts),
 * audit entry and reconcile apply, and the dashboard cannot do what the caller's token could not do
 * through the API. No network hop: the request is handed to the app's `fetch` with the same runtime env
 * (so the caller's address, for the login throttle, is the same too).
 */
import type { Context, Hono } from 'hono'
import { sessionAuthorization } from '../auth/session-cookie.ts'

export interface ApiAnswer {
  status: number
  ok: boolean
  /** The body as text: the API's refusals are plain-text messages meant for people. */
  text: string
}

export type ApiCaller = (c: Context, method: string, path: string, body?: unknown) => Promise<ApiAnswer>

export function createApiCaller(app: Hono): ApiCaller {
  return async (c, method, path, body) => {
    const headers = new Headers()
    // Only the credentials: never the browser's Origin/Sec-Fetch-* (the outer request passed the
    // cross-site check already) nor its cookies.
    const authorization = c.req.header('authorization') || sessionAuthorization(c)
    if (authorization) headers.set('authorization', authorization)
    const forwarded = c.req.header('x-forwarded-for')
    if (forwarded) headers.set('x-forwarded-for', forwarded)
    let payload: string | undefined
    if (body !== undefined) {
      headers.set('content-type', 'application/json')
      payload = JSON.stringify(body)
    }
    const url = new URL(path, c.req.url)
    const response = await app.fetch(
      new Request(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) }),
      c.env,
    )
    const text = await response.text()
    return { status: response.status, ok: response.ok, text: text.trim() }
  }
}
