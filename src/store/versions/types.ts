/**
 * @module
 * Version counters: a row per name whose number grows on every change it stands for, so readers that
 * share the store (Workers isolates, gateways) learn of a change with one cheap read instead of reloading
 * what it covers (the route cache's version row, src/routing/versioned-route-cache.ts).
 */

export interface VersionStore {
  /** Adds one to `name`'s version (creating it at 1) and returns the new version. */
  bumpVersion(name: string, at: Date): Promise<number>
  /** `name`'s version, 0 when it was never bumped. */
  readVersion(name: string): Promise<number>
}
