/**
 * @module
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy `Keep-Alive` and `Proxy-Connection`): they
 * describe one connection and never cross a proxy, whichever way a request or response travels. Besides
 * the fixed list, a message makes any header hop-by-hop by naming it in its own `Connection` header; the
 * one rule here serves the request side (src/invoke/headers.ts) and the response side (the replica proxy).
 */
import type { HeaderMap } from '../http/header-map.ts'

export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

// RFC 9110 §5.6.2 token; anything else in Connection is not a header name and is ignored.
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/**
 * The header names (lower-case) that a message's `Connection` value lists, or null when it lists none
 * beyond the fixed hop-by-hop set (`keep-alive`, `close`: the common case, answered without allocating).
 */
export function connectionOptions(connection: string | null | undefined): ReadonlySet<string> | null {
  if (!connection) return null
  const lower = connection.toLowerCase()
  if (lower === 'keep-alive' || lower === 'close') return null
  let listed: Set<string> | null = null
  for (const part of lower.split(',')) {
    const name = part.trim()
    if (name === 'close' || HOP_BY_HOP_HEADERS.has(name) || !TOKEN.test(name)) continue
    listed ??= new Set()
    listed.add(name)
  }
  return listed
}

/** Whether the header `name` (lower-case) must not be forwarded, given its message's Connection options. */
export function isHopByHop(name: string, listed: ReadonlySet<string> | null): boolean {
  return HOP_BY_HOP_HEADERS.has(name) || listed?.has(name) === true
}

/** Removes, in place, the hop-by-hop headers of a message, including those its Connection header names. */
export function deleteHopByHop(headers: Pick<HeaderMap, 'get' | 'delete'>): void {
  const listed = connectionOptions(headers.get('connection'))
  if (listed) for (const name of listed) headers.delete(name)
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name)
}
