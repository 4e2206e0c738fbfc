/**
 * @module
 * Secrets, stored encrypted: the store keeps the ciphertext and never sees the key (cipher.ts).
 */

/** A secret as stored: `ciphertext` is opaque to the store (see cipher.ts). */
export interface SecretRecord {
  namespace: string
  name: string
  ciphertext: string
  createdAt: Date
  updatedAt: Date
}

export interface SecretStore {
  listSecrets(namespace: string): Promise<SecretRecord[]>
  getSecret(namespace: string, name: string): Promise<SecretRecord | null>
  /** Returns false when it already exists. */
  createSecret(namespace: string, name: string, ciphertext: string): Promise<boolean>
  /** Returns false when it does not exist. */
  updateSecret(namespace: string, name: string, ciphertext: string): Promise<boolean>
  /** Returns false when it does not exist. */
  deleteSecret(namespace: string, name: string): Promise<boolean>
}
