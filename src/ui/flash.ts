/**
 * @module
 * One-shot messages across a POST → redirect → GET: the outcome of a write ("scaled to 0", the API's
 * refusal) is kept in a short-lived cookie and shown, then cleared, by the next page. A cookie rather
 * than a query parameter, so nobody can craft a link that shows the admin a message of their choosing.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { isTls } from './request-origin.ts'

export interface Flash {
  kind: 'info' | 'error'
  text: string
}

const NAME = 'edgefaas_flash'
const MAX_TEXT = 1000

export function setFlash(c: Context, flash: Flash): void {
  // setCookie percent-encodes the value; getCookie decodes it.
  const value = JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, MAX_TEXT) })
  setCookie(c, NAME, value, {
    path: '/ui',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isTls(c.req.raw),
    maxAge: 60,
  })
}

/** The pending message, cleared so a reload does not show it again. */
export function takeFlash(c: Context): Flash | null {
  const value = getCookie(c, NAME)
  if (value === undefined) return null
  deleteCookie(c, NAME, { path: '/ui', secure: isTls(c.req.raw) })
  try {
    const parsed: unknown = JSON.parse(value)
    if (!parsed || typeof parsed !== 'object') return null
    const { kind, text } = parsed as { kind?: unknown; text?: unknown }
    if ((kind !== 'info' && kind !== 'error') || typeof text !== 'string') return null
    return { kind, text: text.slice(0, MAX_TEXT) }
  } catch {
    return null
  }
}
