import { describe, expect, it } from 'vitest'
import { createRouteCache } from '../../src/routing/route-cache.ts'
import type { FunctionRecord, Store } from '../../src/store/types.ts'

/** A store whose only used method counts its calls. */
function countingStore(result: () => FunctionRecord | null) {
  const calls: string[] = []
  const store = {
    async getFunction(namespace: string, name: string) {
      calls.push(`${namespace}/${name}`)
      return result()
    },
  } as unknown as Store
  return { store, calls }
}

const record = { namespace: 'ns', name: 'fn' } as FunctionRecord

describe('route cache', () => {
  it('reads the store once per TTL in steady state', async () => {
    const { store, calls } = countingStore(() => record)
    let now = 0
    const cache = createRouteCache(store, 1000, () => now)
    for (let i = 0; i < 100; i++) expect(await cache.get('ns', 'fn')).toBe(record)
    expect(calls).toHaveLength(1)
    now = 999
    await cache.get('ns', 'fn')
    expect(calls).toHaveLength(1)
    now = 1000
    await cache.get('ns', 'fn')
    expect(calls).toHaveLength(2)
  })

  it('hands out the same record object after a reload while the function is unchanged', async () => {
    let generation = 1
    const at = new Date(1000)
    const { store, calls } = countingStore(
      () => ({ namespace: 'ns', name: 'fn', generation, updatedAt: new Date(at) }) as FunctionRecord,
    )
    let now = 0
    const cache = createRouteCache(store, 1000, () => now)
    const first = await cache.get('ns', 'fn')
    now = 1000
    expect(await cache.get('ns', 'fn')).toBe(first)
    expect(calls).toHaveLength(2)
    generation = 2
    now = 2000
    const changed = await cache.get('ns', 'fn')
    expect(changed).not.toBe(first)
    expect(changed?.generation).toBe(2)
  })

  it('caches absence too, so unknown names cost no query each', async () => {
    const { store, calls } = countingStore(() => null)
    const cache = createRouteCache(store, 1000, () => 0)
    for (let i = 0; i < 50; i++) expect(await cache.get('ns', 'nope')).toBeNull()
    expect(calls).toHaveLength(1)
  })

  it('invalidate forces the next read', async () => {
    const { store, calls } = countingStore(() => record)
    const cache = createRouteCache(store, 60_000, () => 0)
    await cache.get('ns', 'fn')
    cache.invalidate('ns', 'fn')
    await cache.get('ns', 'fn')
    expect(calls).toHaveLength(2)
  })

  it('an invalidated or cleared function is served from its last answer when the store fails right then', async () => {
    // The chaos test's case: the routes version moved (a scale, a deploy elsewhere) just before the
    // database went away. Dropping the entries would have answered every call 503 until it was back.
    let fail = false
    const store = {
      getFunction: async (_namespace: string, name: string) => {
        if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        return name === 'absent' ? null : record
      },
    } as unknown as Store
    const stale: unknown[] = []
    const cache = createRouteCache(store, 60_000, () => 0, { onStale: (e) => stale.push(e) })
    expect(await cache.get('ns', 'fn')).toBe(record)
    expect(await cache.get('ns', 'absent')).toBeNull()
    fail = true
    cache.invalidate('ns', 'fn')
    expect(cache.peek?.('ns', 'fn')).toBeUndefined() // expired: the hot path goes to get()
    expect(await cache.get('ns', 'fn')).toBe(record)
    cache.clear()
    expect(await cache.get('ns', 'fn')).toBe(record)
    expect(await cache.get('ns', 'absent')).toBeNull()
    expect(stale.length).toBeGreaterThanOrEqual(2)
    // A name never read has nothing to fall back on: the store's error.
    await expect(cache.get('ns', 'never-read')).rejects.toThrow('ECONNREFUSED')
  })

  it('a reload in flight at an invalidation does not install what it read before the change', async () => {
    let generation = 1
    let release: (() => void) | undefined
    let hold = false
    const store = {
      getFunction: async () => {
        const read = { namespace: 'ns', name: 'fn', generation, updatedAt: new Date(generation) }
        if (hold) await new Promise<void>((resolve) => (release = resolve))
        return read as FunctionRecord
      },
    } as unknown as Store
    let now = 0
    const cache = createRouteCache(store, 1000, () => now)
    expect((await cache.get('ns', 'fn'))?.generation).toBe(1)
    // Refresh ahead starts a reload that reads generation 1 and is held there.
    hold = true
    now = 900
    cache.peek?.('ns', 'fn')
    // The function changes and this gateway invalidates; the held reload then finishes.
    generation = 2
    hold = false
    cache.invalidate('ns', 'fn')
    release?.()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect((await cache.get('ns', 'fn'))?.generation).toBe(2)
  })

  it('concurrent misses share one query', async () => {
    let resolveFirst: (() => void) | undefined
    let count = 0
    const store = {
      getFunction: () => {
        count++
        return new Promise<FunctionRecord>((resolve) => {
          resolveFirst = () => resolve(record)
        })
      },
    } as unknown as Store
    const cache = createRouteCache(store, 1000, () => 0)
    const pending = Promise.all(Array.from({ length: 20 }, () => cache.get('ns', 'fn')))
    resolveFirst?.()
    expect(await pending).toEqual(Array(20).fill(record))
    expect(count).toBe(1)
  })

  it('a failed read is not cached', async () => {
    let fail = true
    const store = {
      getFunction: async () => {
        if (fail) throw new Error('db down')
        return record
      },
    } as unknown as Store
    const cache = createRouteCache(store, 60_000, () => 0)
    await expect(cache.get('ns', 'fn')).rejects.toThrow('db down')
    fail = false
    expect(await cache.get('ns', 'fn')).toBe(record)
  })

  it('stale-while-error: a known function is served while reloads fail, and reloads are spaced', async () => {
    let fail = false
    let reads = 0
    const store = {
      getFunction: async () => {
        reads++
        if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        return record
      },
    } as unknown as Store
    let now = 0
    const stale: unknown[] = []
    const cache = createRouteCache(store, 100, () => now, { onStale: (e) => stale.push(e) })
    expect(await cache.get('ns', 'fn')).toBe(record)
    fail = true
    now = 200
    // The first reload after the TTL fails: the known record answers instead of the error.
    expect(await cache.get('ns', 'fn')).toBe(record)
    expect(stale).toHaveLength(1)
    const afterFailure = reads
    // While the store fails, calls answer at once without a query each.
    for (let i = 0; i < 50; i++) expect(await cache.get('ns', 'fn')).toBe(record)
    expect(reads).toBe(afterFailure)
    // After the retry interval, one reload is tried again; once the store is back it is used.
    fail = false
    now = 2000
    expect(await cache.get('ns', 'fn')).toBe(record)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(reads).toBe(afterFailure + 1)
    now = 2050
    expect(await cache.get('ns', 'fn')).toBe(record)
    expect(reads).toBe(afterFailure + 1)
  })

  it('a reload that hangs answers from the known record instead of holding calls', async () => {
    let hang = false
    const store = {
      getFunction: (): Promise<FunctionRecord> =>
        hang ? new Promise<FunctionRecord>(() => {}) : Promise.resolve(record),
    } as unknown as Store
    let now = 0
    const cache = createRouteCache(store, 100, () => now)
    expect(await cache.get('ns', 'fn')).toBe(record)
    hang = true
    now = 200
    const started = Date.now()
    expect(await cache.get('ns', 'fn')).toBe(record)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('refresh ahead: peek in the last quarter of the TTL reloads once in the background, so a busy function never expires', async () => {
    let generation = 1
    const { store, calls } = countingStore(
      () => ({ namespace: 'ns', name: 'fn', generation, updatedAt: new Date(0) }) as FunctionRecord,
    )
    let now = 0
    const cache = createRouteCache(store, 1000, () => now)
    const first = await cache.get('ns', 'fn')
    now = 700
    expect(cache.peek?.('ns', 'fn')).toBe(first)
    expect(calls).toHaveLength(1)
    // Past 75 % of the TTL: the known record answers at once, and one reload starts behind it.
    generation = 2
    now = 800
    expect(cache.peek?.('ns', 'fn')).toBe(first)
    expect(cache.peek?.('ns', 'fn')).toBe(first)
    expect(calls).toHaveLength(2)
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Replaced before it expired: at the old expiry the fresh record is there without a Promise.
    now = 1000
    expect(cache.peek?.('ns', 'fn')?.generation).toBe(2)
    expect(calls).toHaveLength(2)
  })

  it('refresh ahead serves nothing older than the TTL: a reload still out at expiry is waited for', async () => {
    let release: (record: FunctionRecord) => void = () => {}
    let reads = 0
    const store = {
      getFunction: (): Promise<FunctionRecord> => {
        reads++
        if (reads === 1) return Promise.resolve(record)
        return new Promise<FunctionRecord>((resolve) => {
          release = resolve
        })
      },
    } as unknown as Store
    let now = 0
    const cache = createRouteCache(store, 1000, () => now)
    await cache.get('ns', 'fn')
    now = 900
    expect(cache.peek?.('ns', 'fn')).toBe(record)
    expect(reads).toBe(2)
    now = 1000
    expect(cache.peek?.('ns', 'fn')).toBeUndefined()
    const fresh = { ...record, generation: 9 } as FunctionRecord
    const waiting = cache.get('ns', 'fn')
    expect(reads).toBe(2) // the reload in flight is shared, not repeated
    release(fresh)
    expect(await waiting).toBe(fresh)
  })
})
