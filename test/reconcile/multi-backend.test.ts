/**
 * The reconciler across several backends: every placed backend gets the function, a move applies on the
 * new backend before removing from the old, a backend that lost the function (drift) or was down during
 * the deploy gets it back, and a selector placement follows the backends' labels on the tick.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.ts'
import { createReconciler, type Reconciler } from '../../src/reconcile/reconciler.ts'
import type { PlacementCandidate } from '../../src/routing/placement.ts'
import { type ProviderRegistry, staticRegistry } from '../../src/routing/registry.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { createMemoryProvider, type MemoryProvider } from '../harness/memory-provider.ts'

describe('reconciler across backends', () => {
  const ns = 'openfaas-fn'
  let store: Store
  let close: () => Promise<void>
  let a: MemoryProvider
  let b: MemoryProvider
  let c: MemoryProvider
  let registry: ProviderRegistry
  let reconciler: Reconciler
  /** The backends' labels as placement sees them (what the store registry reads from the store). */
  let labels: Record<string, Record<string, string>>
  /** Functions the tick moved, as told to the gateway (which drops their cached routes). */
  let moves: string[]

  beforeEach(async () => {
    ;({ store, close } = await openStore(':memory:', '/tmp'))
    await store.createNamespace({ name: ns, labels: {}, annotations: {} })
    ;[a, b, c] = [createMemoryProvider(), createMemoryProvider(), createMemoryProvider()]
    labels = { a: { region: 'eu' }, b: { region: 'us' }, c: { region: 'us' } }
    const inner = staticRegistry({ a, b, c })
    registry = {
      ...inner,
      backends: (): Array<PlacementCandidate & { kind: string; builtin: boolean }> =>
        Object.entries(labels).map(([name, l]) => ({
          name,
          labels: l,
          isDefault: false,
          kind: 'memory',
          builtin: false,
        })),
    }
    moves = []
    reconciler = createReconciler({
      store,
      providers: registry,
      cipher: null,
      logger: silentLogger,
      instanceId: 'test',
      onPlacementChange: (namespace, name) => moves.push(`${name}.${namespace}`),
    })
  })
  afterEach(() => close())

  const deploy = (name: string, placement: string[], annotations: Record<string, string> = {}) =>
    store.createFunction({
      namespace: ns,
      name,
      spec: { image: 'img', annotations },
      replicas: 2,
      placement,
    })
  const rows = async (name: string) =>
    (await store.listDeployments({ namespace: ns, functionName: name }))
      .map((r) => `${r.backend}:${r.status}`)
      .sort()

  it('applies, scales and removes the function on every placed backend', async () => {
    await deploy('f', ['a', 'b'])
    expect(await reconciler.reconcileFunction(ns, 'f')).toMatchObject({ applied: 2, failed: 0 })
    expect(a.functions.get(`${ns}/f`)?.replicas).toBe(2)
    expect(b.functions.get(`${ns}/f`)?.replicas).toBe(2)
    expect(await rows('f')).toEqual(['a:ready', 'b:ready'])

    await store.setReplicas(ns, 'f', 3)
    await reconciler.reconcileFunction(ns, 'f')
    expect([a, b].map((p) => p.functions.get(`${ns}/f`)?.replicas)).toEqual([3, 3])

    await store.markFunctionDeleted(ns, 'f')
    await reconciler.reconcileFunction(ns, 'f')
    expect(a.functions.has(`${ns}/f`) || b.functions.has(`${ns}/f`)).toBe(false)
    expect(await rows('f')).toEqual([])
  })

  it('moves a function: applies on the new backend first, and leaves the old one only once it runs there', async () => {
    await deploy('m', ['a'])
    await reconciler.reconcileFunction(ns, 'm')
    await store.updateFunction({ namespace: ns, name: 'm', spec: { image: 'img' }, placement: ['b'] })

    b.failing = 'b is down'
    await reconciler.reconcileFunction(ns, 'm')
    // The new backend failed: the old one keeps serving.
    expect(a.functions.has(`${ns}/m`)).toBe(true)
    expect(a.removed).toEqual([])
    expect(await rows('m')).toEqual(['a:ready', 'b:error'])

    b.failing = null
    await reconciler.reconcileFunction(ns, 'm')
    expect(b.functions.has(`${ns}/m`)).toBe(true)
    expect(a.functions.has(`${ns}/m`)).toBe(false)
    expect(await rows('m')).toEqual(['b:ready'])
    // Applied on b before a's removal was asked for.
    expect(b.applied.at(-1)?.name).toBe('m')
  })

  it('gives the function back to a backend that lost it, leaving the others alone', async () => {
    await deploy('d', ['a', 'b'])
    await reconciler.reconcileFunction(ns, 'd')
    const appliedOnA = a.applied.length
    b.functions.clear() // b restarted on an empty data folder
    expect((await reconciler.reconcileOnce()).applied).toBe(1)
    expect(b.functions.has(`${ns}/d`)).toBe(true)
    expect(a.applied.length).toBe(appliedOnA)
  })

  it('catches up a backend that was down during the deploy as soon as it answers again, despite its backoff', async () => {
    b.failing = 'connection refused'
    await deploy('late', ['a', 'b'])
    await reconciler.reconcileFunction(ns, 'late')
    expect(await rows('late')).toEqual(['a:ready', 'b:error'])
    const [failed] = await store.listDeployments({ namespace: ns, functionName: 'late', backend: 'b' })
    expect(failed?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now())

    // Still down: the tick's probe sees it, and the tick does not ask it again.
    await registry.probe()
    await reconciler.reconcileOnce()
    expect(b.applied).toEqual([])

    // Back: within its backoff, but the probe saw it answer after the failure, so it is caught up now.
    b.failing = null
    const failedAt = failed?.updatedAt.getTime() ?? 0
    while (Date.now() <= failedAt) await new Promise((resolve) => setTimeout(resolve, 1))
    await registry.probe()
    expect((await reconciler.reconcileOnce()).applied).toBe(1)
    expect(b.functions.has(`${ns}/late`)).toBe(true)
    expect(await rows('late')).toEqual(['a:ready', 'b:ready'])
  })

  it('re-resolves a selector placement on the tick when a backend gains or loses matching labels', async () => {
    await deploy('sel', ['b', 'c'], { 'edgefaas.dev/backends': 'selector:region=us' })
    await reconciler.reconcileOnce()
    expect(await rows('sel')).toEqual(['b:ready', 'c:ready'])
    const generation = (await store.getFunction(ns, 'sel'))?.generation

    labels.a = { region: 'us' } // a relabelled into the selector
    labels.c = { region: 'eu' } // c out of it
    await reconciler.reconcileOnce()
    const fn = await store.getFunction(ns, 'sel')
    expect(fn?.placement).toEqual(['a', 'b'])
    expect(fn?.generation).toBe(generation) // b, which stays, gets no new apply
    expect(moves).toEqual([`sel.${ns}`])
    expect(a.functions.has(`${ns}/sel`)).toBe(true)
    expect(c.functions.has(`${ns}/sel`)).toBe(false)
    expect(await rows('sel')).toEqual(['a:ready', 'b:ready'])

    // A selector left with no match keeps the function where it is.
    labels = { a: {}, b: {}, c: {} }
    await reconciler.reconcileOnce()
    expect((await store.getFunction(ns, 'sel'))?.placement).toEqual(['a', 'b'])
    expect(a.functions.has(`${ns}/sel`) && b.functions.has(`${ns}/sel`)).toBe(true)
  })

  it('keeps the record of a deployment it cannot remove from a backend known but unreachable here', async () => {
    await deploy('u', ['a'])
    await reconciler.reconcileFunction(ns, 'u')
    const blind = createReconciler({
      store,
      providers: staticRegistry({}, ['a']),
      cipher: null,
      logger: silentLogger,
      instanceId: 'elsewhere',
    })
    await store.markFunctionDeleted(ns, 'u')
    await blind.reconcileFunction(ns, 'u')
    expect(await store.listDeployments({ namespace: ns, functionName: 'u' })).toMatchObject([
      {
        backend: 'a',
        status: 'removing',
        lastError: 'cannot remove: backend "a" is not reachable from this gateway',
      },
    ])
    expect(await store.listDeletedFunctions()).toHaveLength(1)
    // The gateway that reaches it finishes the job.
    await reconciler.reconcileFunction(ns, 'u')
    expect(a.functions.has(`${ns}/u`)).toBe(false)
    expect(await store.listDeletedFunctions()).toEqual([])
  })
})
