/**
 * @module
 * The domain table every request's host is looked up in, kept in memory and reloaded before it is older
 * than `ttlMs` (ahead, in the background, while lookups keep getting the table they have; once stale, the
 * lookups that arrive during that one query share it, as the route cache does), so a
 * domain created through another gateway is routed here within `ttlMs`, never later. A write through
 * this gateway invalidates it, so this gateway sees its own writes at once.
 */
import type { Logger } from '../logger.ts'
import type { Store } from '../store/types.ts'
import { buildDomainTable, type DomainTable, EMPTY_DOMAIN_TABLE } from './resolve.ts'

export interface DomainCache {
  /** The current table; a promise while it is (re)loaded: first use, after `ttlMs`, after an invalidation. */
  table(): DomainTable | Promise<DomainTable>
  invalidate(): void
}

const RETRY_FAILED_LOAD_MS = 1000
/**
 * Past this share of `ttlMs`, a lookup starts the reload in the background and is answered from the
 * table it has: the new one replaces it before it is stale, so steady-state lookups (every Node
 * invocation asks whether its Host is a custom domain) never wait on the store or get a Promise. The
 * bound holds: a table is served no longer than `ttlMs` from when its read started.
 */
const REFRESH_AHEAD = 0.75
/** A reload slower than this answers with the table known (it keeps going and replaces it when done). */
const STALE_AFTER_MS = 1000

function staleAfter<T>(pending: Promise<T>, fallback: T, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const slow = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
  })
  return Promise.race([pending, slow]).finally(() => clearTimeout(timer))
}

export function createDomainCache(
  store: Pick<Store, 'listDomains'>,
  ttlMs: number,
  logger: Logger,
  now: () => number = Date.now,
): DomainCache {
  let current: DomainTable | null = null
  let loadedAt = 0
  let loading: Promise<DomainTable> | null = null
  let generation = 0
  // While reloads fail (the store is down), the last table known is served at once and a reload is tried
  // at most once a second, rather than every request waiting on a database that does not answer.
  let failing = false
  let retryAt = 0

  const load = (): Promise<DomainTable> => {
    if (loading) return loading
    const started = generation
    const at = now()
    const pending: Promise<DomainTable> = store
      .listDomains()
      .then((records) => {
        const table = buildDomainTable(records)
        // A write that invalidated the table during the load makes this result stale: keep it only
        // as a fallback and load again on the next lookup.
        current = table
        failing = false
        loadedAt = started === generation ? at : 0
        return table
      })
      .catch((error: unknown) => {
        if (!failing)
          logger.error('loading the custom domains failed; serving the last table known', { error })
        failing = true
        retryAt = now() + RETRY_FAILED_LOAD_MS
        // Without any table yet, no request is routed by domain until the store answers again.
        return current ?? EMPTY_DOMAIN_TABLE
      })
      .finally(() => {
        if (loading === pending) loading = null
      })
    loading = pending
    return pending
  }

  return {
    table() {
      if (current === null || loadedAt === 0) return load()
      const t = now()
      const age = t - loadedAt
      if (age < ttlMs) {
        if (age >= ttlMs * REFRESH_AHEAD && loading === null && !failing) void load()
        return current
      }
      // Stale-while-error: a known table is served while the store fails or a reload hangs.
      if (failing) {
        if (t >= retryAt) void load()
        return current
      }
      return staleAfter(load(), current, STALE_AFTER_MS)
    },
    invalidate() {
      generation++
      loadedAt = 0
      // A load already running may have read the store before the write: the next lookup starts anew.
      loading = null
    },
  }
}
