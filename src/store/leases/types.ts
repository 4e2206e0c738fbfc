/**
 * @module
 * Leases that keep singleton background loops on one gateway when several share one store.
 */

export interface LeaseStore {
  /** Takes or renews `name` for `holder` until `now + ttlMs`; false when another holder has it. */
  tryAcquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>
  releaseLease(name: string, holder: string): Promise<void>
}
