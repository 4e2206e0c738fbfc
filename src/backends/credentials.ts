/**
 * @module
 * A backend's credentials at rest: sealed with the secrets cipher (AES-256-GCM, src/store/cipher.ts) and
 * bound to the backend's name, so a sealed value copied onto another backend's row does not open. Only
 * the credentials' type is ever shown back (`{"type":"basic"}`, `bearer`, `aws`); the values never leave the gateway
 * except towards the backend they belong to.
 */
import type { SecretCipher } from '../store/cipher.ts'
import type { BackendCredentials } from './schema.ts'

export type CredentialsType = 'basic' | 'bearer' | 'aws'

/** What the associated data of a backend's sealed credentials is: distinct from any secret's. */
function credentialsAssociatedData(backend: string): string {
  return `backend:${backend}`
}

export function credentialsType(credentials: BackendCredentials): CredentialsType {
  if ('accessKeyId' in credentials) return 'aws'
  return 'token' in credentials ? 'bearer' : 'basic'
}

export async function sealCredentials(
  cipher: SecretCipher,
  backend: string,
  credentials: BackendCredentials,
): Promise<string> {
  const plain = new TextEncoder().encode(JSON.stringify(credentials))
  return cipher.encrypt(plain, credentialsAssociatedData(backend))
}

/** Opens sealed credentials; throws when the key is wrong or the value was tampered with. */
export async function openCredentials(
  cipher: SecretCipher,
  backend: string,
  sealed: string,
): Promise<BackendCredentials> {
  const plain = await cipher.decrypt(sealed, credentialsAssociatedData(backend))
  const value = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>
  if (typeof value.accessKeyId === 'string' && typeof value.secretAccessKey === 'string')
    return {
      accessKeyId: value.accessKeyId,
      secretAccessKey: value.secretAccessKey,
      ...(typeof value.sessionToken === 'string' ? { sessionToken: value.sessionToken } : {}),
    }
  if (typeof value.token === 'string') return { token: value.token }
  if (typeof value.username === 'string' && typeof value.password === 'string')
    return { username: value.username, password: value.password }
  throw new Error('sealed backend credentials have an unknown shape')
}
