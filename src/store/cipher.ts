/**
 * @module
 * Encryption at rest for secret values: AES-256-GCM through WebCrypto, so it runs unchanged on Node,
 * workerd and Deno. The key never lives in the store; it comes from config or a key file on Node.
 */

import { base64ToBytes, bytesToBase64 } from '../base64.ts'

const VERSION = 'v1'
const IV_BYTES = 12

/** Encrypts and decrypts secret values; ciphertexts are `v1:<base64(iv|ciphertext|tag)>`. */
export interface SecretCipher {
  encrypt(plaintext: Uint8Array, associatedData: string): Promise<string>
  decrypt(ciphertext: string, associatedData: string): Promise<Uint8Array>
}

/** Builds a cipher from a 32-byte key given as base64. */
export async function createSecretCipher(base64Key: string): Promise<SecretCipher> {
  const raw = base64ToBytes(base64Key)
  if (raw.length !== 32) throw new Error('the secrets key must be 32 bytes (base64 of 32 random bytes)')
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
  const encoder = new TextEncoder()
  return {
    async encrypt(plaintext, associatedData) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
      // The associated data binds a ciphertext to its namespace/name, so rows cannot be swapped.
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(associatedData) },
        key,
        plaintext,
      )
      const out = new Uint8Array(IV_BYTES + sealed.byteLength)
      out.set(iv, 0)
      out.set(new Uint8Array(sealed), IV_BYTES)
      return `${VERSION}:${bytesToBase64(out)}`
    },
    async decrypt(ciphertext, associatedData) {
      const [version, body] = ciphertext.split(':', 2)
      if (version !== VERSION || body === undefined) throw new Error('unknown secret ciphertext format')
      const bytes = base64ToBytes(body)
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(associatedData) },
        key,
        bytes.subarray(IV_BYTES),
      )
      return new Uint8Array(plain)
    },
  }
}

/** A fresh random key in the base64 form createSecretCipher takes. */
export function generateSecretsKey(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))
}

/** The associated data that ties a secret's ciphertext to its namespace and name. */
export function secretAssociatedData(namespace: string, name: string): string {
  return `secret:${namespace}/${name}`
}
