/**
 * @module
 * Checks an uploaded certificate chain and key with node:crypto's X.509 support: they parse, the key is
 * the leaf's, the leaf covers the domain's host and is valid now, each certificate is issued by the next.
 * Messages say what is wrong without echoing the PEM.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import type { InspectedCertificate } from '../../../domains/tls-driver.ts'

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
const MAX_CHAIN = 10

/** The certificates of a PEM bundle, leaf first; throws when one does not parse. */
export function parseChain(chainPem: string): X509Certificate[] {
  const blocks = chainPem.match(PEM_CERTIFICATE) ?? []
  return blocks.map((block) => new X509Certificate(block))
}

/** The DNS names a certificate covers: its subjectAltName DNS entries, else its common name. */
function namesOf(cert: X509Certificate): string[] {
  const san = cert.subjectAltName
  if (san) {
    return san
      .split(/,\s*/)
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4).toLowerCase())
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]
  return cn ? [cn.toLowerCase()] : []
}

/** True when `names` cover `host`: exactly, or (for a one-label-deeper name) by a `*.` wildcard name. */
function covers(names: readonly string[], host: string): boolean {
  if (names.includes(host)) return true
  if (host.startsWith('*.')) return false
  const dot = host.indexOf('.')
  return dot !== -1 && names.includes(`*.${host.slice(dot + 1)}`)
}

export function inspectCertificate(
  chainPem: string,
  keyPem: string,
  host: string,
  now: Date = new Date(),
): InspectedCertificate | { problem: string } {
  let chain: X509Certificate[]
  try {
    chain = parseChain(chainPem)
  } catch {
    return { problem: 'certificate: a PEM block does not parse as an X.509 certificate' }
  }
  const leaf = chain[0]
  if (!leaf) return { problem: 'certificate: no "-----BEGIN CERTIFICATE-----" block found' }
  if (chain.length > MAX_CHAIN)
    return { problem: `certificate: at most ${MAX_CHAIN} certificates in the chain` }
  let key: KeyObject
  try {
    key = createPrivateKey(keyPem)
  } catch {
    return { problem: 'privateKey: not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)' }
  }
  if (!leaf.checkPrivateKey(key)) {
    return { problem: 'privateKey: does not match the first certificate of the chain (the leaf)' }
  }
  const names = namesOf(leaf)
  if (!covers(names, host)) {
    return { problem: `certificate: covers ${names.join(', ') || 'no DNS name'}, not ${host}` }
  }
  const notBefore = new Date(leaf.validFrom)
  const notAfter = new Date(leaf.validTo)
  if (notAfter <= now) return { problem: `certificate: expired on ${notAfter.toISOString()}` }
  if (notBefore > now) return { problem: `certificate: not valid before ${notBefore.toISOString()}` }
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i] as X509Certificate
    if (!cert.checkIssued(chain[i + 1] as X509Certificate)) {
      return {
        problem: `certificate: certificate ${i + 1} of the chain is not issued by the next; put the leaf first, then its issuers in order`,
      }
    }
  }
  return { notBefore, notAfter, names }
}
