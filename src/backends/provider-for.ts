/**
 * @module
 * Builds the Provider a stored backend record describes: kind `openfaas` → the openfaas provider over the
 * HTTP client the runtime hands in, with the record's credentials opened from their sealed form. The one
 * place a new remote kind is wired in.
 */
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import type { Provider } from '../../providers/types.ts'
import type { HttpClient } from '../http/client.ts'
import type { SecretCipher } from '../store/cipher.ts'
import type { BackendRecord } from '../store/types.ts'
import { openCredentials } from './credentials.ts'
import type { OpenFaasBackendOptions } from './schema.ts'

export interface ProviderContext {
  /** null where the runtime has no HTTP client: remote backends cannot be reached from it. */
  http: HttpClient | null
  cipher: SecretCipher | null
  /** The gateway's default namespace, which a backend with one namespace or none holds. */
  defaultNamespace: string
}

/** The provider for `record`; throws an Error saying why it cannot be built. */
export async function providerFor(record: BackendRecord, ctx: ProviderContext): Promise<Provider> {
  if (record.kind !== 'openfaas') {
    throw new Error(`backend kind "${record.kind}" is not supported by this gateway`)
  }
  if (!ctx.http) throw new Error('this runtime has no HTTP client for remote backends')
  const url = record.config.url
  if (typeof url !== 'string') throw new Error('the stored backend has no url')
  let credentials: Awaited<ReturnType<typeof openCredentials>> | undefined
  if (record.credentials) {
    if (!ctx.cipher) {
      throw new Error('its credentials are encrypted and no secrets key is configured (EDGEFAAS_SECRETS_KEY)')
    }
    try {
      credentials = await openCredentials(ctx.cipher, record.name, record.credentials)
    } catch (cause) {
      throw new Error(
        'its credentials cannot be decrypted: was the secrets key (EDGEFAAS_SECRETS_KEY) changed?',
        {
          cause,
        },
      )
    }
  }
  const options = (record.config.options ?? {}) as OpenFaasBackendOptions
  return createOpenFaasProvider({
    url,
    credentials,
    http: ctx.http,
    defaultNamespace: ctx.defaultNamespace,
    namespaces: options.namespaces,
    scaleFromZero: options.scaleFromZero,
    readyCacheMs: options.readyCacheMs,
    timeoutMs: options.timeoutMs,
    capabilities: options.capabilities,
  })
}
