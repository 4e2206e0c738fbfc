/**
 * @module
 * The domain table every request's host is looked up in, kept in memory and reloaded once it is older
 * than `ttlMs`: the lookups that arrive during that one query share it (as the route cache does), so a
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
      if (current === null || loadedAt === 0 || now() - loadedAt >= ttlMs) return load()
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
