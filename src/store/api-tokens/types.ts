/**
 * @module
 * API tokens as stored: the public id, the hash of the secret (never the secret), and what the token may
 * do. src/access/tokens.ts makes and checks tokens; this only keeps them.
 */

export interface ApiTokenRecord {
  id: string
  name: string
  /** Hex SHA-256 of the token's secret part. */
  secretHash: string
  scopes: string[]
  /** `["*"]`: every namespace. */
  namespaces: string[]
  /** `name.namespace` of the functions an invoke token is limited to; null: no such limit. */
  functions: string[] | null
  createdAt: Date
  expiresAt: Date | null
  revokedAt: Date | null
}

export interface ApiTokenStore {
  /** False when the id is taken (ids are random: a retry with a new id is the answer). */
  createApiToken(token: ApiTokenRecord): Promise<boolean>
  getApiToken(id: string): Promise<ApiTokenRecord | null>
  /** Every token, revoked and expired ones included, newest first. */
  listApiTokens(): Promise<ApiTokenRecord[]>
  /** Marks the token revoked at `at`; false when there is no such token or it was revoked already. */
  revokeApiToken(id: string, at: Date): Promise<boolean>
}
