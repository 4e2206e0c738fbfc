/**
 * @module
 * Which callback URLs the gateway will POST results to. `X-Callback-Url` is caller-controlled and the
 * worker calls it from inside the network, so without a check any caller could make the gateway reach
 * internal services or cloud metadata (the SSRF hole of the OpenFaaS queue worker, anchors.md §4.2).
 * Only absolute http(s) URLs whose every address is public unicast pass, unless allow-listed by host name
 * or CIDR. Names are checked after resolution, and again by the sender at connect time.
 */
import ipaddr from 'ipaddr.js'

export interface CallbackPolicy {
  /** Exact host names (lower-case) that may be called whatever they resolve to. */
  hosts: Set<string>
  /** Address ranges that may be called. */
  cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>
}

/** Parses `EDGEFAAS_CALLBACK_ALLOW`: comma-separated host names and CIDRs (`10.0.0.0/8`, `::1/128`). */
export function parseCallbackAllowList(value: string): CallbackPolicy | string {
  const policy: CallbackPolicy = { hosts: new Set(), cidrs: [] }
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry.includes('/')) {
      try {
        policy.cidrs.push(ipaddr.parseCIDR(entry))
      } catch {
        return `"${entry}" is not a valid CIDR`
      }
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry)
      policy.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128])
    } else if (/^[a-z0-9.-]+$/.test(entry)) {
      policy.hosts.add(entry)
    } else {
      return `"${entry}" is neither a host name nor a CIDR`
    }
  }
  return policy
}

export type CallbackVerdict = { ok: true; url: URL } | { ok: false; reason: string }

/** Checks the URL's form and, for IP literals, the address. Host names still need `addressAllowed`. */
export function checkCallbackUrl(raw: string, policy: CallbackPolicy): CallbackVerdict {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'X-Callback-Url must be an absolute http(s) URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'X-Callback-Url must use http or https' }
  }
  if (url.username || url.password) return { ok: false, reason: 'X-Callback-Url must not carry credentials' }
  const host = hostOf(url)
  if (ipaddr.isValid(host) && !addressAllowed(host, policy)) {
    return {
      ok: false,
      reason: 'X-Callback-Url points at a private, loopback, link-local or reserved address',
    }
  }
  return { ok: true, url }
}

/** The URL's host without IPv6 brackets, lower-case. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
}

/** True when `address` is public unicast, or inside an allow-listed range. */
export function addressAllowed(address: string, policy: CallbackPolicy): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6
  try {
    parsed = ipaddr.process(address)
  } catch {
    return false
  }
  for (const [range, bits] of policy.cidrs) {
    if (range.kind() === parsed.kind() && parsed.match(range, bits)) return true
  }
  return parsed.range() === 'unicast'
}

/** True when a host name is allow-listed as such (its addresses are then not checked). */
export function hostAllowed(host: string, policy: CallbackPolicy): boolean {
  return policy.hosts.has(host.toLowerCase())
}
