/**
 * @module
 * The domain table every request's host is looked up in, kept in memory: loaded once, then reloaded in
 * the background when older than `ttlMs` (requests keep using the previous table meanwhile, so the hot
 * path never waits on SQL). A write through this gateway invalidates it, and the next lookup waits for
 * the fresh table, so this gateway sees its own writes at once; other gateways within `ttlMs`.
 */
import type { Logger } from '../logger.ts'
import type { Store } from '../store/types.ts'
import { buildDomainTable, type DomainTable, EMPTY_DOMAIN_TABLE } from './resolve.ts'

export interface DomainCache {
  /** The current table; a promise only on first use, after an invalidation, or while the store fails. */
  table(): DomainTable | Promise<DomainTable>
  invalidate(): void
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
        loadedAt = started === generation ? at : 0
        return table
      })
      .catch((error: unknown) => {
        logger.error('loading the custom domains failed; serving the last table known', { error })
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
      if (now() - loadedAt >= ttlMs) void load()
      return current
    },
    invalidate() {
      generation++
      loadedAt = 0
      // A load already running may have read the store before the write: the next lookup starts anew.
      loading = null
    },
  }
}
