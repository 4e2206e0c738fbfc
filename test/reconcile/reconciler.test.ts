import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.ts'
import { createReconciler } from '../../src/reconcile/reconciler.ts'
import { staticRegistry } from '../../src/routing/registry.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import { createSecretCipher, generateSecretsKey, secretAssociatedData } from '../../src/store/cipher.ts'
import type { Store } from '../../src/store/types.ts'
import { createMemoryProvider, type MemoryProvider } from '../harness/memory-provider.ts'

describe('reconciler', () => {
  let store: Store
  let close: () => Promise<void>
  let provider: MemoryProvider
  let clock: Date
  const ns = 'openfaas-fn'

  beforeEach(async () => {
    ;({ store, close } = await openStore(':memory:', '/tmp'))
    await store.createNamespace({ name: ns, labels: {}, annotations: {} })
    provider = createMemoryProvider()
    clock = new Date('2026-01-01T00:00:00Z')
  })
  afterEach(() => close())

  const reconcilerWith = async (registry = staticRegistry({ local: provider })) =>
    createReconciler({
      store,
      providers: registry,
      cipher: await createSecretCipher(generateSecretsKey()),
      logger: silentLogger,
      instanceId: 'test',
      now: () => clock,
    })
  const deploy = (name: string, replicas = 1) =>
    store.createFunction({
      namespace: ns,
      name,
      spec: { image: 'img', envProcess: 'cat' },
      replicas,
      placement: ['local'],
    })

  it('applies a new function and records it as ready at its generation', async () => {
    const fn = await deploy('a', 2)
    const summary = await (await reconcilerWith()).reconcileFunction(ns, 'a')
    expect(summary).toEqual({ applied: 1, failed: 0, removed: 0 })
    expect(provider.functions.get(`${ns}/a`)?.replicas).toBe(2)
    const [row] = await store.listDeployments({ namespace: ns, functionName: 'a' })
    expect(row).toMatchObject({
      status: 'ready',
      appliedGeneration: fn?.generation,
      observedReplicas: 2,
      availableReplicas: 2,
      lastError: null,
    })
  })

  it('does nothing when the backend is in sync', async () => {
    await deploy('a')
    const r = await reconcilerWith()
    await r.reconcileFunction(ns, 'a')
    expect((await r.reconcileOnce()).applied).toBe(0)
    expect(provider.applied).toHaveLength(1)
  })

  it('records a failed apply, backs off, and retries until it succeeds', async () => {
    await deploy('a')
    const r = await reconcilerWith()
    provider.failing = 'backend down'
    expect((await r.reconcileFunction(ns, 'a')).failed).toBe(1)
    let [row] = await store.listDeployments({ functionName: 'a' })
    expect(row).toMatchObject({ status: 'error', lastError: 'backend down', attempts: 1 })
    expect(row?.nextAttemptAt?.getTime()).toBeGreaterThan(clock.getTime())

    provider.failing = null
    expect((await r.reconcileOnce()).applied).toBe(0) // still backing off
    clock = new Date(clock.getTime() + 60_000)
    expect((await r.reconcileOnce()).applied).toBe(1)
    ;[row] = await store.listDeployments({ functionName: 'a' })
    expect(row).toMatchObject({ status: 'ready', lastError: null, attempts: 0 })
  })

  it('re-applies when the backend lost the function (drift)', async () => {
    await deploy('a')
    const r = await reconcilerWith()
    await r.reconcileFunction(ns, 'a')
    provider.functions.clear()
    expect((await r.reconcileOnce()).applied).toBe(1)
    expect(provider.functions.has(`${ns}/a`)).toBe(true)
  })

  it('applies a new replica count', async () => {
    await deploy('a')
    const r = await reconcilerWith()
    await r.reconcileFunction(ns, 'a')
    await store.setReplicas(ns, 'a', 0)
    await r.reconcileFunction(ns, 'a')
    expect(provider.functions.get(`${ns}/a`)?.replicas).toBe(0)
  })

  it('removes a deleted function everywhere, then purges it; a failed removal is retried', async () => {
    await deploy('a')
    const r = await reconcilerWith()
    await r.reconcileFunction(ns, 'a')
    await store.markFunctionDeleted(ns, 'a')
    provider.failing = 'down'
    await r.reconcileFunction(ns, 'a')
    expect(await store.listDeployments({ functionName: 'a' })).toMatchObject([{ status: 'removing' }])
    expect(await store.listDeletedFunctions()).toHaveLength(1)
    provider.failing = null
    clock = new Date(clock.getTime() + 60_000)
    await r.reconcileOnce()
    expect(provider.functions.has(`${ns}/a`)).toBe(false)
    expect(await store.listDeployments({ functionName: 'a' })).toEqual([])
    expect(await store.listDeletedFunctions()).toEqual([])
  })

  it('leaves a deployment pending, with the reason, when its backend is not reachable here', async () => {
    await deploy('a')
    const r = await reconcilerWith(staticRegistry({}, ['local']))
    await r.reconcileFunction(ns, 'a')
    expect(await store.listDeployments({ functionName: 'a' })).toMatchObject([
      { status: 'pending', lastError: 'backend "local" is not reachable from this gateway' },
    ])
  })

  it('hands decrypted secrets to the provider', async () => {
    const cipher = await createSecretCipher(generateSecretsKey())
    await store.createSecret(
      ns,
      'token',
      await cipher.encrypt(new TextEncoder().encode('s3cr3t'), secretAssociatedData(ns, 'token')),
    )
    await store.createFunction({
      namespace: ns,
      name: 'b',
      spec: { image: 'img', secrets: ['token'] },
      replicas: 1,
      placement: ['local'],
    })
    const r = createReconciler({
      store,
      providers: staticRegistry({ local: provider }),
      cipher,
      logger: silentLogger,
      instanceId: 't',
    })
    await r.reconcileFunction(ns, 'b')
    expect(new TextDecoder().decode(provider.functions.get(`${ns}/b`)?.secrets.token)).toBe('s3cr3t')
  })

  it('skips shared backends when another gateway holds the lease', async () => {
    const shared = createMemoryProvider('shared')
    await deploy('a')
    await store.tryAcquireLease('reconcile', 'other-gateway', 60_000, clock)
    const r = await reconcilerWith(staticRegistry({ local: shared }))
    await r.reconcileOnce()
    expect(shared.applied).toHaveLength(0)
  })

  it('reconcileWithin returns by its deadline while slow work goes on', async () => {
    await deploy('slow')
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const apply = provider.apply
    provider.apply = async (d) => {
      await gate
      return apply(d)
    }
    const r = await reconcilerWith()
    await r.reconcileWithin(ns, 'slow', 20)
    expect(provider.functions.has(`${ns}/slow`)).toBe(false)
    release()
    await r.reconcileFunction(ns, 'slow') // queued behind the first; both finish
    expect(provider.functions.has(`${ns}/slow`)).toBe(true)
  })
})
