/**
 * @module
 * A function's secrets as one string, `name=<base64> name=<base64> …`, which Lambda (an encrypted
 * environment variable) and ECS (one Secrets Manager secret injected as an environment variable) hand
 * to the function as `EDGEFAAS_SECRETS`. Neither can mount files at `/var/openfaas/secrets/<name>`, where
 * OpenFaaS functions read them, so the image runs `providers/aws/image/edgefaas-secrets.sh` first: it
 * writes each secret to a file in a writable folder that `/var/openfaas/secrets` links to
 * (docs/backends.md, "Secrets on AWS"). Space-separated `name=base64` pairs need nothing but `sh` and
 * `base64` in the image to read: secret names hold no space or `=`, base64 neither.
 */
import { bytesToBase64 } from '../../src/base64.ts'
import { ProviderError } from '../types.ts'

export const SECRETS_ENV = 'EDGEFAAS_SECRETS'

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/

/** The bundle for `names` (the spec's order), or null when there are none. */
export function secretsBundle(
  names: readonly string[],
  values: Record<string, Uint8Array>,
  label: string,
): string | null {
  if (names.length === 0) return null
  const pairs: string[] = []
  for (const name of names) {
    if (!SECRET_NAME.test(name))
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: secret name "${name}" must be letters, digits, ".", "_" or "-" (it becomes a file name)`,
      )
    const value = values[name]
    if (value === undefined)
      throw new ProviderError(
        'INVALID',
        `deploying ${label}: secret "${name}" does not exist; create it first`,
      )
    pairs.push(`${name}=${bytesToBase64(value)}`)
  }
  return pairs.join(' ')
}
