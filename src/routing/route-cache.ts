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
  expiresAt: number
  /** The answer once the store gave one: what is served while a reload fails or is slow. */
  known?: { record: FunctionRecord | null }
  /** The reload in progress for an entry with a known answer (shared by concurrent callers). */
  reloading?: Promise<FunctionRecord | null>
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

/**
 * Stale-while-error: a known answer is never evicted because the store failed. While the store fails
 * (a PostgreSQL restart or failover), calls to known functions are served from what was last read, and
 * the reload is retried at most this often per function; a reload slower than `STALE_AFTER_MS` (a
 * database that hangs rather than refuses) also answers from the known record rather than hold calls.
 */
const RETRY_FAILED_RELOAD_MS = 1000
const STALE_AFTER_MS = 1000
/**
 * Past this share of `ttlMs`, `peek` (the hot path) starts the entry's reload in the background and
 * answers from the record it has: the reloaded one replaces it before it expires, so calls to a busy
 * function never wait on the store once a TTL (nor pay a Promise each while they do). The bound holds:
 * an answer is served no longer than `ttlMs` after the read that produced it.
 */
const REFRESH_AHEAD = 0.75

export interface RouteCacheOptions {
  /** Called when a reload fails and a known answer is served instead (to log or count it). */
  onStale?: (error: unknown) => void
}

export function createRouteCache(
  store: Store,
  ttlMs: number,
  now: () => number = Date.now,
  options: RouteCacheOptions = {},
): RouteCache {
  const entries = new Map<string, Entry>()
  const key = (namespace: string, name: string) => `${namespace}\u0000${name}`
  // Set by a failed reload, cleared by a successful one: while set, stale answers are served at once.
  let failing = false

  function install(k: string, entry: Entry): void {
    entries.delete(k)
    entries.set(k, entry)
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
  }

  /**
   * Invalidation (a write here, the routes version moving, a scale from zero): the next read goes to
   * the store, but the last answer stays behind it, so a store that fails right then is answered from
   * it as from any stale entry, and an invalidation just before an outage does not turn every call
   * into a 503. The entry is replaced, not edited, so a reload already in flight cannot install what
   * it read before the change.
   */
  function expire(k: string, hit: Entry): void {
    if (!hit.known) {
      entries.delete(k)
      return
    }
    const { record } = hit.known
    entries.set(k, { value: Promise.resolve(record), expiresAt: Number.NEGATIVE_INFINITY, known: { record } })
  }

  function remember(entry: Entry): void {
    entry.value.then(
      (record) => {
        entry.known = { record }
      },
      () => {},
    )
  }

  /** Reloads an entry that has a known answer; never rejects (the known answer stands in). */
  function reload(
    k: string,
    hit: Entry & { known: { record: FunctionRecord | null } },
    namespace: string,
    name: string,
  ) {
    const previous = hit.known.record
    const fetched = store.getFunction(namespace, name).then(
      (fresh) => {
        failing = false
        const record = unchanged(previous, fresh)
        // Only if nothing replaced or invalidated the entry meanwhile.
        if (entries.get(k) === hit)
          install(k, { value: Promise.resolve(record), expiresAt: now() + ttlMs, known: { record } })
        return record
      },
      (error: unknown) => {
        failing = true
        options.onStale?.(error)
        hit.expiresAt = now() + Math.min(RETRY_FAILED_RELOAD_MS, Math.max(ttlMs, 100))
        hit.reloading = undefined
        return previous
      },
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    const slow = new Promise<FunctionRecord | null>((resolve) => {
      timer = setTimeout(() => resolve(previous), STALE_AFTER_MS)
    })
    return Promise.race([fetched, slow]).finally(() => clearTimeout(timer))
  }

  return {
    get(namespace, name) {
      const k = key(namespace, name)
      const hit = entries.get(k)
      const t = now()
      if (hit && hit.expiresAt > t) return hit.value
      if (hit?.known) {
        const known = hit as Entry & { known: { record: FunctionRecord | null } }
        hit.reloading ??= reload(k, known, namespace, name)
        return failing ? hit.value : hit.reloading
      }
      // Concurrent misses share one query: the pending promise is what gets cached.
      const fetched = store.getFunction(namespace, name)
      const value = hit ? Promise.all([hit.value, fetched]).then(([p, f]) => unchanged(p, f)) : fetched
      const entry: Entry = { value, expiresAt: t + ttlMs }
      install(k, entry)
      remember(entry)
      value.then(
        () => {
          failing = false
        },
        () => {
          if (entries.get(k) === entry) entries.delete(k)
        },
      )
      return value
    },
    peek(namespace, name) {
      const k = key(namespace, name)
      const hit = entries.get(k)
      if (hit === undefined) return undefined
      const left = hit.expiresAt - now()
      if (left <= 0) return undefined
      const known = hit.known
      if (known && left < ttlMs * (1 - REFRESH_AHEAD) && hit.reloading === undefined && !failing) {
        hit.reloading = reload(
          k,
          hit as Entry & { known: { record: FunctionRecord | null } },
          namespace,
          name,
        )
      }
      return known?.record
    },
    invalidate(namespace, name) {
      const k = key(namespace, name)
      const hit = entries.get(k)
      if (hit) expire(k, hit)
    },
    clear() {
      for (const [k, hit] of entries) expire(k, hit)
    },
  }
}
