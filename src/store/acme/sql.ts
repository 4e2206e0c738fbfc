/**
 * @module
 * The AcmeStore over SQL, for every dialect.
 */
import { and, eq, gt, lte } from 'drizzle-orm'
import type { Dialect } from '../dialect/types.ts'
import type { AcmeStore } from './types.ts'

/** The AcmeStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function acmeStore({ db, tables: { acmeAccounts, acmeChallenges } }: Dialect): AcmeStore {
  const getAccount = async (directoryUrl: string) => {
    const [row] = await db.select().from(acmeAccounts).where(eq(acmeAccounts.directoryUrl, directoryUrl))
    return row ?? null
  }
  return {
    getAcmeAccount: getAccount,

    async saveAcmeAccount(directoryUrl, keyCiphertext) {
      // Two gateways creating the account at once: the first insert wins and both use its key.
      await db
        .insert(acmeAccounts)
        .values({ directoryUrl, keyCiphertext, createdAt: new Date() })
        .onConflictDoNothing()
      const stored = await getAccount(directoryUrl)
      if (!stored) throw new Error('the ACME account vanished right after it was stored')
      return stored
    },

    async putAcmeChallenge(challenge) {
      await db
        .insert(acmeChallenges)
        .values(challenge)
        .onConflictDoUpdate({
          target: acmeChallenges.token,
          set: {
            host: challenge.host,
            keyAuthorization: challenge.keyAuthorization,
            expiresAt: challenge.expiresAt,
          },
        })
    },

    async getAcmeChallenge(token, now) {
      const [row] = await db
        .select()
        .from(acmeChallenges)
        .where(and(eq(acmeChallenges.token, token), gt(acmeChallenges.expiresAt, now)))
      return row ?? null
    },

    async deleteAcmeChallenge(token) {
      await db.delete(acmeChallenges).where(eq(acmeChallenges.token, token))
    },

    async pruneAcmeChallenges(now) {
      await db.delete(acmeChallenges).where(lte(acmeChallenges.expiresAt, now))
    },
  }
}
