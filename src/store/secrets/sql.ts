/**
 * @module
 * The SecretStore over SQL, for every dialect.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { SecretRecord, SecretStore } from './types.ts'

function toSecret(r: Row<'secrets'>): SecretRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    ciphertext: r.ciphertext,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** The SecretStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function secretStore({ db, tables: { secrets } }: Dialect): SecretStore {
  const key = (namespace: string, name: string) =>
    and(eq(secrets.namespace, namespace), eq(secrets.name, name))

  return {
    async listSecrets(namespace) {
      const rows = await db
        .select()
        .from(secrets)
        .where(eq(secrets.namespace, namespace))
        .orderBy(asc(secrets.name))
      return rows.map(toSecret)
    },

    async getSecret(namespace, name) {
      const [row] = await db.select().from(secrets).where(key(namespace, name))
      return row ? toSecret(row) : null
    },

    async createSecret(namespace, name, ciphertext) {
      const now = new Date()
      const rows = await db
        .insert(secrets)
        .values({ namespace, name, ciphertext, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ name: secrets.name })
      return rows.length > 0
    },

    async updateSecret(namespace, name, ciphertext) {
      const rows = await db
        .update(secrets)
        .set({ ciphertext, updatedAt: new Date() })
        .where(key(namespace, name))
        .returning({ name: secrets.name })
      return rows.length > 0
    },

    async deleteSecret(namespace, name) {
      const rows = await db.delete(secrets).where(key(namespace, name)).returning({ name: secrets.name })
      return rows.length > 0
    },
  }
}
