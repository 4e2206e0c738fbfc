/**
 * @module
 * The route cache shared across isolates (Workers) or gateways through one version row in the store.
 *
 * Every write that changes what `getFunction` returns bumps the `routes` version (`withRouteVersion`
 * wraps the store, so no writer can forget). Each isolate's cache reads the version at most once per
 * `checkMs` before it answers, and drops everything when the version moved. So a deploy through any
 * isolate is seen by all within `checkMs` (plus the version read's own latency), while the per-function
 * TTL can be long: an isolate pays one small read per `checkMs`, not one per function per TTL.
 */
import type { Logger } from '../logger.ts'
import type { Store } from '../store/types.ts'
import type { RouteCache } from './route-cache.ts'

export const ROUTES_VERSION = 'routes'

/** The methods of Store that change a function record as `getFunction` returns it. */
const WRITES = [
  'createFunction',
  'updateFunction',
  'setReplicas',
  'setPlacement',
  'markFunctionDeleted',
  'purgeFunction',
] as const satisfies ReadonlyArray<keyof Store>

/** `store` with the routes version bumped after every successful function write. */
export function withRouteVersion<S extends Store>(store: S): S {
  const wrapped = Object.create(store) as S
  for (const method of WRITES) {
    const write = store[method] as (...args: unknown[]) => Promise<unknown>
    Object.defineProperty(wrapped, method, {
      value: async (...args: unknown[]) => {
        const result = await write.apply(store, args)
        // null/false: nothing was written (a conflict or an unknown name), so readers need not reload.
        if (result !== null && result !== false) await store.bumpVersion(ROUTES_VERSION, new Date())
        return result
      },
    })
  }
  return wrapped
}

export interface VersionedRouteCacheOptions {
  store: Pick<Store, 'readVersion'>
  inner: RouteCache
  checkMs: number
  logger: Logger
  now?: () => number
}

/** `inner`, cleared whenever the routes version row moved; checked at most every `checkMs`. */
export function createVersionedRouteCache(o: VersionedRouteCacheOptions): RouteCache {
  const now = o.now ?? Date.now
  let seen: number | undefined
  let checkedAt = Number.NEGATIVE_INFINITY
  let checking: Promise<void> | null = null

  const check = (): Promise<void> => {
    if (now() - checkedAt < o.checkMs) return Promise.resolve()
    checking ??= (async () => {
      // The check counts from before the read: a write committed after it started is caught next time.
      const startedAt = now()
      try {
        const version = await o.store.readVersion(ROUTES_VERSION)
        if (seen !== undefined && version !== seen) o.inner.clear()
        seen = version
        checkedAt = startedAt
      } catch (error) {
        // The inner cache's TTL still bounds staleness; the next call tries again.
        o.logger.warn('reading the routes version failed', { error })
      } finally {
        checking = null
      }
    })()
    return checking
  }

  return {
    async get(namespace, name) {
      await check()
      return await o.inner.get(namespace, name)
    },
    // Without a Promise only while no version check is due.
    peek: (namespace, name) => (now() - checkedAt < o.checkMs ? o.inner.peek?.(namespace, name) : undefined),
    invalidate: (namespace, name) => o.inner.invalidate(namespace, name),
    clear: () => o.inner.clear(),
  }
}
