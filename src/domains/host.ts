/**
 * @module
 * Host names, normalised once. A request's `Host` (or TLS SNI name) becomes lower-case, without port and
 * trailing dot, before anything matches on it; a host an admin configures is validated strictly and
 * turned into the same form (IDNA: `bücher.example` → `xn--bcher-kva.example`), so the two meet exactly.
 */

/** The normalised host of a `Host` header value or SNI name: `API.Example.com.:8080` → `api.example.com`. */
export function normaliseRequestHost(value: string | null | undefined): string | null {
  if (!value) return null
  let host = value
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    host = end === -1 ? host : host.slice(0, end + 1)
  } else {
    const colon = host.indexOf(':')
    if (colon !== -1) host = host.slice(0, colon)
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  return host === '' ? null : host.toLowerCase()
}

/** The port a `Host` header names, if any (`example.com:8080` → `8080`). */
export function portOfHostHeader(value: string | null): string | null {
  if (!value) return null
  const close = value.lastIndexOf(']')
  const colon = value.lastIndexOf(':')
  return colon > close ? value.slice(colon + 1) : null
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const MAX_HOST_LENGTH = 253
/** Characters that would make the input more than a host name (port, path, user info, IPv6, escapes). */
const NOT_A_HOST = /[\s/:@?#[\]\\%]/

export type HostCheck = { host: string; wildcard: boolean } | { problem: string }

/**
 * Validates a domain an admin maps: a DNS name of at least two labels, or `*.` and such a name. IP
 * addresses are refused (certificates and SNI work on names), and so is anything with a port, a path or
 * an empty label. The result is the normalised form stored and matched.
 */
export function checkDomainHost(input: string): HostCheck {
  const fail = (why: string): HostCheck => ({
    problem: `host: ${why}; give a DNS name such as api.example.com or *.example.com`,
  })
  if (input.length === 0 || input.length > MAX_HOST_LENGTH + 3) return fail('must be 1 to 253 characters')
  if (NOT_A_HOST.test(input)) return fail('must be a bare host name, without scheme, port or path')
  const wildcard = input.startsWith('*.')
  let name = wildcard ? input.slice(2) : input
  if (name.endsWith('.')) name = name.slice(0, -1)
  if (name.includes('*')) return fail('"*" may only be the whole first label (*.example.com)')
  let ascii: string
  try {
    // WHATWG URL applies IDNA (UTS #46): lower-case, punycode, and refuses what cannot be a host.
    ascii = new URL(`http://${name}/`).hostname
  } catch {
    return fail('is not a valid host name')
  }
  if (ascii.length > MAX_HOST_LENGTH) return fail('must be at most 253 characters')
  const labels = ascii.split('.')
  if (labels.length < 2) return fail('must have at least two labels')
  if (!labels.every((l) => LABEL.test(l))) {
    return fail('each label must be 1 to 63 of a-z, 0-9 and "-", not starting or ending with "-"')
  }
  // The URL parser reads a name ending in a number as an IPv4 address (`10.1`, `0x7f.1`): refuse those.
  if (/^(0x[0-9a-f]*|\d+)$/.test(labels[labels.length - 1] as string)) {
    return fail('must not be an IP address')
  }
  return { host: wildcard ? `*.${ascii}` : ascii, wildcard }
}

const PATH_CHARS = /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/
const MAX_PREFIX_LENGTH = 256

/** A path prefix as stored: `/` or `/v1/api` (no trailing slash, no dot segments); or a problem. */
export function checkPathPrefix(input: string | undefined): { prefix: string } | { problem: string } {
  if (input === undefined || input === '' || input === '/') return { prefix: '/' }
  const problem = {
    problem: `path: must be a path prefix such as /v1 (at most ${MAX_PREFIX_LENGTH} characters, no "..", "//", query or escapes)`,
  }
  if (input.length > MAX_PREFIX_LENGTH || !PATH_CHARS.test(input)) return problem
  const trimmed = input.endsWith('/') ? input.slice(0, -1) : input
  const segments = trimmed.slice(1).split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return problem
  return { prefix: trimmed }
}
