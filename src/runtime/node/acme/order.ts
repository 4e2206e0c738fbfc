/**
 * @module
 * One ACME order (RFC 8555) with acme-client: the shared account of the directory (created on first
 * use, its key sealed in the store so every gateway orders as the same client), a fresh ECDSA P-256 key
 * per certificate, HTTP-01 only. The challenge answer is written to the store, where whichever gateway
 * the CA reaches answers it (src/domains/front.ts), and removed once the order is done.
 */

import { readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import { rootCertificates } from 'node:tls'
import acme from 'acme-client'
import type { AcmeConfig } from '../../../config.ts'
import { acmeAccountKeyData } from '../../../domains/tls-driver.ts'
import type { SecretCipher } from '../../../store/cipher.ts'
import type { Store } from '../../../store/types.ts'
import { parseChain } from '../tls/inspect.ts'

export interface IssuedCertificate {
  chainPem: string
  keyPem: string
  notBefore: Date
  notAfter: Date
}

/** How long a stored challenge answer is served at most, should the order never clean it up. */
const CHALLENGE_TTL_MS = 10 * 60_000
/**
 * One request to the CA at most: axios waits forever by default, so a directory that accepts the
 * connection and never answers (a firewall dropping packets, a hung CA) would leave the domain
 * "pending" with no error until the order's lease ran out; bounded, the failure is recorded on the
 * domain (lastError) and retried with the job's growing wait.
 */
const REQUEST_TIMEOUT_MS = 30_000

export type OrderCertificate = (host: string) => Promise<IssuedCertificate>

export function createAcmeOrderer(options: {
  config: AcmeConfig
  store: Store
  cipher: SecretCipher
  /** Bound on each request to the CA (tests shorten it). */
  requestTimeoutMs?: number
}): OrderCertificate {
  const { config, store, cipher } = options
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  acme.axios.defaults.timeout = timeoutMs
  if (config.caFile) {
    // acme-client talks through its own axios instance: trust the extra CA there, beside the system's.
    const ca = readFileSync(config.caFile, 'utf8')
    acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, ca], keepAlive: true })
  }
  const encoder = new TextEncoder()
  const decoder = new TextDecoder()
  const accountData = acmeAccountKeyData(config.directoryUrl)

  const accountKey = async (): Promise<string> => {
    const stored = await store.getAcmeAccount(config.directoryUrl)
    const record =
      stored ??
      (await store.saveAcmeAccount(
        config.directoryUrl,
        await cipher.encrypt(
          encoder.encode((await acme.crypto.createPrivateEcdsaKey()).toString()),
          accountData,
        ),
      ))
    return decoder.decode(await cipher.decrypt(record.keyCiphertext, accountData))
  }

  return async (host) => {
    const client = new acme.Client({
      directoryUrl: config.directoryUrl,
      accountKey: await accountKey(),
      ...(config.externalAccount ? { externalAccountBinding: config.externalAccount } : {}),
      // The CA's polling: start fast (a local CA validates in milliseconds), give up after about 2 min.
      backoffMin: 250,
      backoffMax: 10_000,
      backoffAttempts: 15,
    })
    const key = await acme.crypto.createPrivateEcdsaKey('P-256')
    const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, key)
    const chainPem = await client
      .auto({
        csr,
        ...(config.email ? { email: config.email } : {}),
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // acme-client's own pre-check would resolve the host from here; the CA's validation is the test.
        skipChallengeVerification: true,
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          if (challenge.type !== 'http-01') throw new Error(`unexpected challenge type ${challenge.type}`)
          await store.putAcmeChallenge({
            token: challenge.token,
            host: authz.identifier.value.toLowerCase(),
            keyAuthorization,
            expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
          })
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await store.deleteAcmeChallenge(challenge.token)
        },
      })
      .catch((error: unknown) => {
        throw noAnswerFrom(config.directoryUrl, timeoutMs, error)
      })
    const leaf = parseChain(chainPem)[0]
    if (!leaf) throw new Error('the CA returned no certificate')
    return {
      chainPem,
      keyPem: key.toString(),
      notBefore: new Date(leaf.validFrom),
      notAfter: new Date(leaf.validTo),
    }
  }
}

/**
 * acme-client 5.4.0 loses the error of a request that got no response at all (a timeout, or a refused
 * connection after its retries): its interceptor then reads `response.config` of an undefined response
 * and throws that TypeError instead. Said plainly here, as the message lands on the domain (lastError).
 */
function noAnswerFrom(directoryUrl: string, timeoutMs: number, error: unknown): unknown {
  if (!(error instanceof TypeError) || !error.message.includes("reading 'config'")) return error
  return new Error(
    `no answer from the ACME server ${directoryUrl}: the connection failed or a request took longer than ${timeoutMs / 1000} s`,
  )
}
