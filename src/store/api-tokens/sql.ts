/**
 * @module
 * The ApiTokenStore over SQL, for every dialect.
 */
import { and, desc, eq, isNull } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { ApiTokenRecord, ApiTokenStore } from './types.ts'

function toToken(r: Row<'apiTokens'>): ApiTokenRecord {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secretHash,
    scopes: r.scopes,
    namespaces: r.namespaces,
    functions: r.functions ?? null,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt ?? null,
    revokedAt: r.revokedAt ?? null,
  }
}

export function apiTokenStore({ db, tables: { apiTokens } }: Dialect): ApiTokenStore {
  return {
    async createApiToken(token) {
      const rows = await db
        .insert(apiTokens)
        .values(token)
        .onConflictDoNothing()
        .returning({ id: apiTokens.id })
      return rows.length > 0
    },

    async getApiToken(id) {
      const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id))
      return row ? toToken(row) : null
    },

    async listApiTokens() {
      const rows = await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
      return rows.map(toToken)
    },

    async revokeApiToken(id, at) {
      const rows = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
      return rows.length > 0
    },
  }
}
