/**
 * @module
 * Chooses each TLS connection's certificate by SNI. The name is normalised as a Host header is, and
 * resolved to its domain the same way requests are (exact host first, then the most specific wildcard);
 * the domain's certificate is read from the store, its key decrypted with the secrets cipher, and the
 * secure context kept in memory. `refresh()` (on a timer) compares each certificate's version with the
 * store's, so a certificate renewed or uploaded through any gateway is served by all of them within one
 * period, and connections already open keep theirs. A name that maps to no domain, or a domain without a
 * certificate, fails the handshake: no other domain's certificate is ever shown.
 */
import { createSecureContext, type SecureContext } from 'node:tls'
import type { DomainCache } from '../../../domains/domain-cache.ts'
import { normaliseRequestHost } from '../../../domains/host.ts'
import { findDomain } from '../../../domains/resolve.ts'
import { certificateKeyData } from '../../../domains/tls-driver.ts'
import type { Logger } from '../../../logger.ts'
import type { SecretCipher } from '../../../store/cipher.ts'
import type { Store } from '../../../store/types.ts'

export interface SniContexts {
  SNICallback(servername: string, callback: (error: Error | null, context?: SecureContext) => void): void
  /** Rereads the certificates' versions and reloads what changed; drops what is gone. */
  refresh(): Promise<void>
}

interface Cached {
  version: number
  context: Promise<SecureContext | null>
}

export function createSniContexts(options: {
  store: Pick<Store, 'getCertificate' | 'listCertificates'>
  cipher: SecretCipher
  domains: DomainCache
  logger: Logger
}): SniContexts {
  const { store, cipher, domains, logger } = options
  const cache = new Map<string, Cached>()
  const decoder = new TextDecoder()

  const load = async (host: string): Promise<SecureContext | null> => {
    const record = await store.getCertificate(host)
    if (!record?.chainPem || !record.keyCiphertext) return null
    const key = decoder.decode(await cipher.decrypt(record.keyCiphertext, certificateKeyData(host)))
    return createSecureContext({ cert: record.chainPem, key })
  }
  /** First use of a host: whatever is stored now, under version -1 until refresh() learns the real one. */
  const firstLoad = (host: string): Promise<SecureContext | null> => {
    const context = load(host).catch((error: unknown) => {
      logger.error('loading a TLS certificate failed', { host, error })
      cache.delete(host)
      return null
    })
    cache.set(host, { version: -1, context })
    return context
  }

  return {
    SNICallback(servername, callback) {
      const name = normaliseRequestHost(servername)
      void (async () => {
        const table = await domains.table()
        const domain = name === null ? null : findDomain(table, name)
        if (!domain) return callback(new Error('no custom domain for this server name'))
        const context = await (cache.get(domain.host)?.context ?? firstLoad(domain.host))
        if (!context) return callback(new Error('the domain has no certificate yet'))
        callback(null, context)
      })().catch((error: unknown) => callback(error as Error))
    },

    async refresh() {
      const summaries = await store.listCertificates()
      const live = new Set<string>()
      for (const s of summaries) {
        if (s.notAfter === null) continue
        live.add(s.host)
        const hit = cache.get(s.host)
        // Only contexts in use are rebuilt; the old one keeps serving until the new one is ready.
        if (!hit || hit.version === s.version) continue
        const fresh = await load(s.host).catch((error: unknown) => {
          logger.error('loading a renewed TLS certificate failed; keeping the previous one', {
            host: s.host,
            error,
          })
          return null
        })
        if (fresh) cache.set(s.host, { version: s.version, context: Promise.resolve(fresh) })
      }
      for (const host of cache.keys()) if (!live.has(host)) cache.delete(host)
    },
  }
}
