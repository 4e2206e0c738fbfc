/**
 * @module
 * Builds the Provider a stored backend record describes: kind `openfaas` → the openfaas provider over the
 * HTTP client the runtime hands in; `lambda` and `ecs` → the AWS factory the runtime hands in
 * (src/backends/aws-providers.ts); the record's credentials opened from their sealed form. The one
 * place a new remote kind is wired in.
 */
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import type { Provider } from '../../providers/types.ts'
import type { HttpClient } from '../http/client.ts'
import type { SecretCipher } from '../store/cipher.ts'
import type { BackendRecord } from '../store/types.ts'
import type { AwsBackend, AwsProviderFactory } from './aws-providers.ts'
import { openCredentials } from './credentials.ts'
import type { BackendCredentials, OpenFaasBackendOptions } from './schema.ts'

export interface ProviderContext {
  /** null where the runtime has no HTTP client: remote backends cannot be reached from it. */
  http: HttpClient | null
  cipher: SecretCipher | null
  /** The gateway's default namespace, which a backend with one namespace or none holds. */
  defaultNamespace: string
  /** Builds `lambda` and `ecs` providers; absent where the runtime does not load the AWS SDK. */
  aws?: AwsProviderFactory | undefined
}

/** The provider for `record`; throws an Error saying why it cannot be built. */
export async function providerFor(record: BackendRecord, ctx: ProviderContext): Promise<Provider> {
  if (record.kind === 'lambda' || record.kind === 'ecs') {
    if (!ctx.aws) {
      throw new Error(
        `backend kind "${record.kind}" needs the AWS SDK, which this runtime does not load; place the function from a Node or Deno gateway`,
      )
    }
    const region = record.config.region
    if (typeof region !== 'string') throw new Error('the stored backend has no region')
    const credentials = await opened(record, ctx)
    if (credentials && !('accessKeyId' in credentials))
      throw new Error('its stored credentials are not AWS keys')
    return ctx.aws.create(
      {
        name: record.name,
        kind: record.kind,
        region,
        credentials,
        options: (record.config.options ?? {}) as never,
      } satisfies AwsBackend,
      ctx.http,
    )
  }
  if (record.kind !== 'openfaas') {
    throw new Error(`backend kind "${record.kind}" is not supported by this gateway`)
  }
  if (!ctx.http) throw new Error('this runtime has no HTTP client for remote backends')
  const url = record.config.url
  if (typeof url !== 'string') throw new Error('the stored backend has no url')
  const credentials = await opened(record, ctx)
  if (credentials && 'accessKeyId' in credentials) throw new Error('its stored credentials are AWS keys')
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

/** The record's credentials, opened; undefined when it has none. */
async function opened(record: BackendRecord, ctx: ProviderContext): Promise<BackendCredentials | undefined> {
  if (!record.credentials) return undefined
  if (!ctx.cipher) {
    throw new Error('its credentials are encrypted and no secrets key is configured (EDGEFAAS_SECRETS_KEY)')
  }
  try {
    return await openCredentials(ctx.cipher, record.name, record.credentials)
  } catch (cause) {
    throw new Error(
      'its credentials cannot be decrypted: was the secrets key (EDGEFAAS_SECRETS_KEY) changed?',
      {
        cause,
      },
    )
  }
}
