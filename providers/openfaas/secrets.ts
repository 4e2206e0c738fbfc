/**
 * @module
 * A function's secrets, written to the backend's `/system/secrets` before the function is deployed,
 * under the same name in the function's namespace there. That is where OpenFaaS mounts a secret from
 * (`/var/openfaas/secrets/<name>`, named after the secret), so the function finds it where it would
 * on any OpenFaaS; and secrets are per namespace on both sides, so two functions naming one secret share
 * it on the backend as they do here. The value is written on every apply (applies are rare: a new
 * generation or drift), which also restores a secret the backend lost. What this does not do: remove
 * a secret from the backend when the last function using it goes (nothing on the backend says which
 * secrets this gateway wrote), and it overwrites a same-named secret created on the backend directly.
 */
import { bytesToBase64 } from '../../src/base64.ts'
import type { ProviderCapabilities } from '../types.ts'
import { ProviderError } from '../types.ts'
import type { BackendApi } from './backend-api.ts'
import { backendError, discard } from './errors.ts'

const NOT_SERVED = new Set([404, 405, 501])

export async function writeSecrets(
  api: BackendApi,
  capabilities: ProviderCapabilities,
  namespace: string | null,
  names: readonly string[],
  values: Record<string, Uint8Array>,
  label: string,
): Promise<void> {
  for (const name of names) {
    const value = values[name]
    if (value === undefined) {
      throw new ProviderError('INVALID', `deploying ${label}: the value of secret "${name}" was not given`)
    }
    // rawValue (base64) wins over value on every provider; an empty value must go as `value`, since an
    // empty rawValue is dropped by Go's omitempty and the secret would arrive without a value.
    const secret = {
      name,
      ...(namespace === null ? {} : { namespace }),
      ...(value.byteLength > 0 ? { rawValue: bytesToBase64(value) } : { value: '' }),
    }
    const query = { namespace: namespace ?? undefined }
    let response = await api.call('POST', '/system/secrets', { json: secret, query })
    if (NOT_SERVED.has(response.status)) {
      await discard(response)
      capabilities.secrets = false
      throw new ProviderError(
        'UNSUPPORTED',
        `deploying ${label}: backend ${api.shown} does not serve /system/secrets, so secret "${name}" cannot be given to the function`,
      )
    }
    // faas-netes and edgefaas answer 409 for an existing secret (faasd overwrites it on POST).
    if (response.status === 409) {
      await discard(response)
      response = await api.call('PUT', '/system/secrets', { json: secret, query })
    }
    if (!response.ok) throw await backendError(response, `writing secret "${name}" for ${label}`, api.shown)
    await discard(response)
  }
}
