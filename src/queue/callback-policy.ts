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
    // process() turns IPv4-mapped IPv6 (`::ffff:127.0.0.1`) into the IPv4 address it stands for.
    parsed = ipaddr.process(address)
  } catch {
    return false
  }
  return parsedAllowed(parsed, policy)
}

/** IPv4-compatible IPv6 (`::a.b.c.d`, RFC 4291 §2.5.5.1): deprecated, but still routed to the IPv4 host. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96')
/** The NAT64 well-known prefix (RFC 6052): a DNS64 network reaches IPv4 hosts through it. */
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96')

function parsedAllowed(parsed: ipaddr.IPv4 | ipaddr.IPv6, policy: CallbackPolicy): boolean {
  for (const [range, bits] of policy.cidrs) {
    if (range.kind() === parsed.kind() && parsed.match(range, bits)) return true
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6
    // Both reach the IPv4 address in their last 32 bits, which ipaddr.js calls plain `unicast` (::/96)
    // or a special range (NAT64). IPv4-compatible ones have no legitimate use left: all refused. A NAT64
    // one is judged by the IPv4 address it embeds, so a DNS64-only gateway can still call public hosts.
    if (v6.match(IPV4_COMPATIBLE)) return false
    if (v6.match(NAT64)) return parsedAllowed(embeddedIPv4(v6), policy)
  }
  // Everything else special is refused, 6to4 (2002::/16) and Teredo (2001::/32) included, whatever
  // IPv4 address they embed: both are deprecated relays that could carry a call into a private network.
  return parsed.range() === 'unicast'
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray()
  return new ipaddr.IPv4(bytes.slice(12, 16))
}

/** True when a host name is allow-listed as such (its addresses are then not checked). */
export function hostAllowed(host: string, policy: CallbackPolicy): boolean {
  return policy.hosts.has(host.toLowerCase())
}
