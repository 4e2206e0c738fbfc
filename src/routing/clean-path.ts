/**
 * @module
 * Path normalisation, done once before routing so the router and the auth middleware see the same path.
 * Most path-related auth bypasses (Hono's CVE-2026-29045 and CVE-2026-39407 among them) come from two
 * layers disagreeing about `%2F`, `//` or `..`; here encoded separators are refused outright and dot
 * segments are resolved, as gorilla/mux does for the OpenFaaS gateway (with a 301 to the clean path).
 */

export type PathVerdict =
  | { kind: 'ok' }
  | { kind: 'redirect'; location: string }
  | { kind: 'reject'; reason: string }

// Encoded slash, backslash and NUL change what a segment is once decoded; no OpenFaaS route needs them.
const FORBIDDEN = /%2f|%5c|%00|\\/i
const ENCODED_DOT = /%2e/gi
/**
 * What could make a path other than clean: an empty segment (`//`), a dot segment (any `/.`), an encoded
 * dot, or what FORBIDDEN refuses. A path starting with `/` that has none of these is its own clean form
 * (cleanPath splits it into the same segments and keeps its trailing slash), so the hot path answers
 * with one scan; anything suspect takes the full rule below, which stays the only definition.
 */
const MAYBE_UNCLEAN = /\/\/|\/\.|%2[ef]|%5c|%00|\\/i
const OK: PathVerdict = Object.freeze({ kind: 'ok' })

/** Decides whether `pathname` may be routed as is, must be redirected to its clean form, or refused. */
export function checkPath(pathname: string): PathVerdict {
  if (pathname.charCodeAt(0) === 0x2f && !MAYBE_UNCLEAN.test(pathname)) return OK
  if (FORBIDDEN.test(pathname)) return { kind: 'reject', reason: 'encoded path separators are not allowed' }
  const cleaned = cleanPath(pathname.replace(ENCODED_DOT, '.'))
  if (cleaned === pathname) return OK
  return { kind: 'redirect', location: cleaned }
}

/** Go's path.Clean plus mux's rule of keeping a trailing slash. */
export function cleanPath(path: string): string {
  if (path === '') return '/'
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  let cleaned = `/${out.join('/')}`
  const endsWithSlash = path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..')
  if (endsWithSlash && cleaned !== '/') cleaned += '/'
  return cleaned
}
