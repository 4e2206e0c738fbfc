/**
 * @module
 * What ACME ordering shares between gateways: the account key per directory (so they order as one
 * client) and the HTTP-01 answers in flight (so whichever gateway the CA reaches can answer).
 */

export interface AcmeAccountRecord {
  directoryUrl: string
  /** The secrets cipher's ciphertext of the PEM account key (associated data: acmeAccountKeyData(url)). */
  keyCiphertext: string
  createdAt: Date
}

export interface AcmeChallengeRecord {
  token: string
  host: string
  keyAuthorization: string
  expiresAt: Date
}

export interface AcmeStore {
  getAcmeAccount(directoryUrl: string): Promise<AcmeAccountRecord | null>
  /** Stores the account unless one exists; returns the account that is stored (the first one wins). */
  saveAcmeAccount(directoryUrl: string, keyCiphertext: string): Promise<AcmeAccountRecord>
  putAcmeChallenge(challenge: AcmeChallengeRecord): Promise<void>
  /** The challenge while it has not expired at `now`. */
  getAcmeChallenge(token: string, now: Date): Promise<AcmeChallengeRecord | null>
  deleteAcmeChallenge(token: string): Promise<void>
  /** Drops challenges expired at `now`. */
  pruneAcmeChallenges(now: Date): Promise<void>
}
