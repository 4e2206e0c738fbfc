/**
 * @module
 * Who issued a stored certificate, read from the leaf of its PEM chain: the issuer's organisation and
 * common name (`Let's Encrypt / R11`, `Pebble Intermediate CA 1a2b3c`), for /system/domains/{host} and
 * the dashboard. A small DER walk over Web APIs only (no X.509 library: the core runs on every runtime),
 * reading just enough of TBSCertificate to reach the issuer Name. Anything it cannot read gives null:
 * the certificate was checked when it was stored, this is only a label.
 */
import { base64ToBytes } from '../base64.ts'

interface Tlv {
  tag: number
  /** Start of the contents. */
  start: number
  end: number
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return null
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!
    start += bytes
  }
  const end = start + length
  return end > limit ? null : { tag, start, end }
}

/** The TLVs directly inside a constructed one. */
function children(der: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = []
  for (let at = parent.start; at < parent.end; ) {
    const tlv = readTlv(der, at, parent.end)
    if (!tlv) return null
    out.push(tlv)
    at = tlv.end
  }
  return out
}

const SEQUENCE = 0x30
const SET = 0x31
const OID = 0x06
/** id-at-commonName and id-at-organizationName, DER-encoded. */
const COMMON_NAME = '55 04 03'
const ORGANIZATION = '55 04 0a'

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')

/** The first certificate of a PEM chain, as DER; null when there is none. */
function firstDer(chainPem: string): Uint8Array | null {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(chainPem)
  if (!match?.[1]) return null
  try {
    return base64ToBytes(match[1].replace(/\s+/g, ''))
  } catch {
    return null
  }
}

/** UTF8String as UTF-8, BMPString as UTF-16; Printable, IA5 and T61 strings as Latin-1. */
function decodeString(tag: number, bytes: Uint8Array): string {
  if (tag === 0x0c) return new TextDecoder().decode(bytes)
  // By hand: not every runtime's TextDecoder knows utf-16be or latin1 (workerd knows utf-8).
  let out = ''
  if (tag === 0x1e) {
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i]! * 256 + bytes[i + 1]!)
  } else {
    for (const b of bytes) out += String.fromCharCode(b)
  }
  return out
}

/** "O / CN" of the leaf's issuer (either alone when the other is missing); null when unreadable. */
export function certificateIssuer(chainPem: string | null | undefined): string | null {
  if (!chainPem) return null
  const der = firstDer(chainPem)
  if (!der) return null
  const certificate = readTlv(der, 0, der.length)
  if (certificate?.tag !== SEQUENCE) return null
  const tbs = children(der, certificate)?.[0]
  if (tbs?.tag !== SEQUENCE) return null
  const fields = children(der, tbs)
  if (!fields) return null
  // [0] version is optional; then serialNumber, signature, issuer.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0
  const issuer = fields[offset + 2]
  if (issuer?.tag !== SEQUENCE) return null
  const parts: Record<string, string> = {}
  for (const rdn of children(der, issuer) ?? []) {
    if (rdn.tag !== SET) continue
    for (const attribute of children(der, rdn) ?? []) {
      const [type, value] = children(der, attribute) ?? []
      if (type?.tag !== OID || !value) continue
      const key = hex(der.subarray(type.start, type.end))
      if (key !== COMMON_NAME && key !== ORGANIZATION) continue
      parts[key] = decodeString(value.tag, der.subarray(value.start, value.end))
    }
  }
  const named = [parts[ORGANIZATION], parts[COMMON_NAME]].filter((p): p is string => Boolean(p))
  return named.length > 0 ? named.join(' / ') : null
}
