/**
 * The custom-domain table cache (src/domains/domain-cache.ts): read once per TTL, reloaded ahead of its
 * expiry in the background so the lookups every Node invocation makes never wait on the store.
 */
import { describe, expect, it } from 'vitest'
import { createDomainCache } from '../../src/domains/domain-cache.ts'
import type { Logger } from '../../src/logger.ts'
import type { Store } from '../../src/store/types.ts'

const silent = { error() {}, warn() {}, info() {}, debug() {} } as unknown as Logger

function countingStore() {
  const state = { reads: 0, domains: [] as unknown[] }
  const store = {
    listDomains: async () => {
      state.reads++
      return state.domains
    },
  } as unknown as Pick<Store, 'listDomains'>
  return { store, state }
}

describe('domain cache', () => {
  it('answers without a Promise through its TTL, reloading once in the last quarter of it', async () => {
    const { store, state } = countingStore()
    let now = 10_000 // 0 means never loaded to the cache
    const cache = createDomainCache(store, 1000, silent, () => now)
    const first = await cache.table()
    expect(state.reads).toBe(1)
    now = 10_700
    expect(cache.table()).toBe(first)
    expect(state.reads).toBe(1)
    now = 10_800
    expect(cache.table()).toBe(first)
    expect(cache.table()).toBe(first)
    expect(state.reads).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 0))
    // The reloaded table, read at 10 800, lives until 11 800: at 11 000 it is answered at once.
    now = 11_000
    const second = cache.table()
    expect(second).not.toBeInstanceOf(Promise)
    expect(second).not.toBe(first)
    expect(state.reads).toBe(2)
  })

  it('a table past its TTL is not served while a fresh one is read', async () => {
    const { store, state } = countingStore()
    let now = 10_000 // 0 means never loaded to the cache
    const cache = createDomainCache(store, 1000, silent, () => now)
    await cache.table()
    now = 11_000
    expect(cache.table()).toBeInstanceOf(Promise)
    expect(state.reads).toBe(2)
  })
})
