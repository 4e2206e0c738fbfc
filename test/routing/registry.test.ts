/**
 * The provider registry follows the store: a backend written by anyone appears within the bound without
 * anything awaiting SQL on lookup, a changed backend gets a new provider and the old one is closed, a
 * deleted one goes; built-ins stay; a record that cannot be built is known, with the reason as its health.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealCredentials } from '../../src/backends/credentials.ts'
import { silentLogger } from '../../src/logger.ts'
import { createStoreRegistry, type ProviderRegistry } from '../../src/routing/registry.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import { createSecretCipher, generateSecretsKey, type SecretCipher } from '../../src/store/cipher.ts'
import type { Store } from '../../src/store/types.ts'
import { createMemoryProvider } from '../harness/memory-provider.ts'
import { pollUntil } from '../harness/poll.ts'

describe('store registry', () => {
  let store: Store
  let close: () => Promise<void>
  let cipher: SecretCipher
  let registry: ProviderRegistry
  const local = createMemoryProvider()
  const TTL_MS = 100

  beforeEach(async () => {
    ;({ store, close } = await openStore(':memory:', '/tmp'))
    cipher = await createSecretCipher(generateSecretsKey())
    registry = createStoreRegistry({
      store,
      builtins: { local },
      context: {
        http: () => Promise.reject(new Error('no network in this test')),
        cipher,
        defaultNamespace: 'openfaas-fn',
      },
      ttlMs: TTL_MS,
      logger: silentLogger,
    })
    await store.upsertBackend({ name: 'local', kind: 'local', config: {} })
    await registry.refresh()
  })
  afterEach(async () => {
    await registry.close()
    await close()
  })

  const openfaas = (name: string, url: string, extra: Record<string, unknown> = {}) =>
    store.upsertBackend({ name, kind: 'openfaas', config: { url }, ...extra })

  it('keeps the built-ins and marks them', () => {
    expect(registry.get('local')).toBe(local)
    expect(registry.backends()).toEqual([
      { name: 'local', kind: 'local', labels: {}, isDefault: false, builtin: true },
    ])
  })

  it('picks up a backend written to the store within the bound, lookups never waiting', async () => {
    await openfaas('eu', 'https://eu.example', { labels: { region: 'eu' } })
    // Synchronous: the first lookups answer from the snapshot and start a refresh in the background.
    expect(registry.get('eu')).toBeUndefined()
    const written = Date.now()
    await pollUntil(
      'the registry to learn "eu"',
      async () => registry.get('eu') !== undefined,
      TTL_MS + 2000,
      5,
    )
    expect(Date.now() - written).toBeLessThan(TTL_MS + 2000)
    expect(registry.get('eu')?.kind).toBe('openfaas')
    expect(registry.has('eu')).toBe(true)
    expect(registry.backends().find((b) => b.name === 'eu')).toEqual({
      name: 'eu',
      kind: 'openfaas',
      labels: { region: 'eu' },
      isDefault: false,
      builtin: false,
    })
  })

  it('replaces the provider of a changed backend, closing the old one, and drops a deleted one', async () => {
    await openfaas('eu', 'https://eu.example')
    await registry.refresh()
    const first = registry.get('eu')
    await registry.refresh()
    expect(registry.get('eu')).toBe(first) // unchanged record, same provider

    await openfaas('eu', 'https://eu-2.example')
    await registry.refresh()
    const second = registry.get('eu')
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
    await expect(
      first?.apply({
        name: 'f',
        namespace: 'openfaas-fn',
        spec: { image: 'x' },
        replicas: 1,
        generation: 1,
        secrets: {},
      }),
    ).rejects.toThrow(/closed/)

    await store.deleteBackend('eu')
    await registry.refresh()
    expect(registry.get('eu')).toBeUndefined()
    expect(registry.has('eu')).toBe(false)
    expect(registry.get('local')).toBe(local)
  })

  it('opens sealed credentials, and knows a backend it cannot build, with the reason as its health', async () => {
    const sealed = await sealCredentials(cipher, 'eu', { username: 'admin', password: 'pw' })
    await openfaas('eu', 'https://eu.example', { credentials: sealed })
    // Sealed for another backend's name: does not open as this one's.
    await openfaas('us', 'https://us.example', { credentials: sealed })
    await registry.refresh()
    expect(registry.get('eu')).toBeDefined()
    expect(registry.get('us')).toBeUndefined()
    expect(registry.has('us')).toBe(true)
    expect(registry.health('us')).toMatchObject({
      reachable: false,
      lastError: expect.stringMatching(/cannot reach backend "us": its credentials cannot be decrypted/),
    })
  })

  it('records each backend’s health on probe: reachable, last error, last seen', async () => {
    await registry.probe()
    const healthy = registry.health('local')
    expect(healthy).toMatchObject({ reachable: true, lastError: null })
    local.failing = 'down for maintenance'
    await registry.probe()
    expect(registry.health('local')).toMatchObject({
      reachable: false,
      lastError: 'down for maintenance',
      lastSeen: healthy.lastSeen,
      reachableSince: null,
    })
    local.failing = null
    await registry.probe()
    const back = registry.health('local')
    expect(back.reachable).toBe(true)
    expect(back.lastError).toBe('down for maintenance') // the last error stays visible
    expect(back.reachableSince?.getTime()).toBeGreaterThanOrEqual(healthy.lastSeen?.getTime() ?? 0)
  })
})
