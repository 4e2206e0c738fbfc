/**
 * @module
 * The route cache keeps SQL off the invocation hot path: a function record (or its absence) is read once
 * and reused for `ttlMs`. Writes through this gateway invalidate the entry at once; other gateways sharing
 * the store see a change within `ttlMs` (the bounded staleness DESIGN.md promises). Absent functions are
 * cached too, so a flood of calls to an unknown name costs no query each. A reload that finds the function
 * unchanged (same generation) hands out the same record object as before.
 */
import type { FunctionRecord, Store } from '../store/types.ts'

export interface RouteCache {
  /** The live function, or null; from memory when fresh. */
  get(namespace: string, name: string): Promise<FunctionRecord | null>
  /**
   * The same answer without a Promise when it is fresh and already read (the hot path's usual case);
   * undefined when `get` must be awaited.
   */
  peek?(namespace: string, name: string): FunctionRecord | null | undefined
  invalidate(namespace: string, name: string): void
  clear(): void
}

interface Entry {
  value: Promise<FunctionRecord | null>
  /** What `value` resolved to, once it has; undefined while the query runs. */
  settled: FunctionRecord | null | undefined
  expiresAt: number
}

/**
 * The record a reload should hand out: the one already handed out while the function is unchanged, so
 * what callers derived from it and keyed by it (routing's weights and load state) stays valid.
 */
function unchanged(previous: FunctionRecord | null, fresh: FunctionRecord | null): FunctionRecord | null {
  const same =
    previous !== null &&
    fresh !== null &&
    previous.generation === fresh.generation &&
    Number(previous.updatedAt) === Number(fresh.updatedAt)
  return same ? previous : fresh
}

/** Entries beyond this are evicted oldest-first, bounding memory under a scan of random names. */
const MAX_ENTRIES = 10_000

export function createRouteCache(store: Store, ttlMs: number, now: () => number = Date.now): RouteCache {
  const entries = new Map<string, Entry>()
  const key = (namespace: string, name: string) => `${namespace}\u0000${name}`
  return {
    get(namespace, name) {
      const k = key(namespace, name)
      const hit = entries.get(k)
      const t = now()
      if (hit && hit.expiresAt > t) return hit.value
      // Concurrent misses share one query: the pending promise is what gets cached.
      const fetched = store.getFunction(namespace, name)
      const value = hit ? Promise.all([hit.value, fetched]).then(([p, f]) => unchanged(p, f)) : fetched
      const entry: Entry = { value, settled: undefined, expiresAt: t + ttlMs }
      entries.delete(k)
      entries.set(k, entry)
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
      value.then(
        (fn) => {
          entry.settled = fn
        },
        () => {
          if (entries.get(k) === entry) entries.delete(k)
        },
      )
      return value
    },
    peek(namespace, name) {
      const hit = entries.get(key(namespace, name))
      if (hit === undefined || hit.expiresAt <= now()) return undefined
      return hit.settled
    },
    invalidate(namespace, name) {
      entries.delete(key(namespace, name))
    },
    clear() {
      entries.clear()
    },
  }
}
