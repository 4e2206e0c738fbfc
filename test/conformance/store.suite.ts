/**
 * @module
 * The Store contract, run against every implementation: embedded SQLite, PostgreSQL, and D1 inside workerd.
 * It imports nothing but vitest and the Store types, because the workerd run has no `node:` modules.
 * Every test makes its own names, so all runs can share one database and tests stay independent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionSpec, NewFunction, Store } from '../../src/store/types.ts'

export interface OpenedTestStore {
  store: Store
  close(): Promise<void>
}

/** Unicode, quoting and nesting that a naive JSON or text column would mangle. */
const tricky: Record<string, string> = {
  'com.example/ключ': 'значение 🚀',
  'quote"back\\slash': "it's\n\ttabbed",
  empty: '',
  日本語: '漢字 ✓',
}

function specFor(image: string): FunctionSpec {
  return {
    image,
    envProcess: 'node index.js',
    envVars: { GREETING: 'héllo wörld', JSON: '{"a":[1,2]}' },
    constraints: ['node.platform.os == linux'],
    secrets: ['api-key'],
    labels: { 'com.openfaas.scale.min': '1', ...tricky },
    annotations: { 'edgefaas.dev/backends': 'eu=80,us=20', note: '🌍' },
    limits: { memory: '128Mi', cpu: '100m' },
    requests: null,
    readOnlyRootFilesystem: true,
  }
}

export function runStoreSuite(label: string, open: () => Promise<OpenedTestStore>): void {
  describe(`Store conformance: ${label}`, () => {
    let opened: OpenedTestStore
    let store: Store
    // A per-run prefix keeps names apart when several runs share a database.
    const run = Math.random().toString(36).slice(2, 8)
    let counter = 0
    const unique = (kind: string) => `${kind}-${run}-${++counter}`

    const newFunction = (over: Partial<NewFunction> = {}): NewFunction => ({
      namespace: unique('ns'),
      name: unique('fn'),
      spec: specFor('ghcr.io/example/fn:1'),
      replicas: 1,
      placement: ['local'],
      ...over,
    })

    beforeAll(async () => {
      opened = await open()
      store = opened.store
    })

    afterAll(async () => {
      await opened?.close()
    })

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined()
    })

    describe('namespaces', () => {
      it('creates once and reads back labels, annotations and the creation time', async () => {
        const name = unique('ns')
        const before = Date.now()
        expect(await store.createNamespace({ name, labels: tricky, annotations: { a: 'b' } })).toBe(true)
        const after = Date.now()
        expect(await store.createNamespace({ name, labels: {}, annotations: {} })).toBe(false)

        const ns = await store.getNamespace(name)
        expect(ns).toEqual({ name, labels: tricky, annotations: { a: 'b' }, createdAt: expect.any(Date) })
        expect(ns!.createdAt.getTime()).toBeGreaterThanOrEqual(before)
        expect(ns!.createdAt.getTime()).toBeLessThanOrEqual(after)
      })

      it('lists in name order', async () => {
        const [a, b] = [unique('ns-b'), unique('ns-a')]
        await store.createNamespace({ name: a, labels: {}, annotations: {} })
        await store.createNamespace({ name: b, labels: {}, annotations: {} })
        const names = (await store.listNamespaces()).map((n) => n.name).filter((n) => n === a || n === b)
        expect(names).toEqual([a, b].sort())
      })

      it('updates labels and annotations of an existing namespace only', async () => {
        const name = unique('ns')
        expect(await store.updateNamespace({ name, labels: {}, annotations: {} })).toBe(false)
        await store.createNamespace({ name, labels: { x: '1' }, annotations: {} })
        const created = await store.getNamespace(name)
        expect(await store.updateNamespace({ name, labels: { y: '2' }, annotations: { z: 'ü' } })).toBe(true)
        expect(await store.getNamespace(name)).toEqual({
          name,
          labels: { y: '2' },
          annotations: { z: 'ü' },
          createdAt: created!.createdAt,
        })
      })

      it('deletes once', async () => {
        const name = unique('ns')
        await store.createNamespace({ name, labels: {}, annotations: {} })
        expect(await store.deleteNamespace(name)).toBe(true)
        expect(await store.deleteNamespace(name)).toBe(false)
        expect(await store.getNamespace(name)).toBeNull()
      })
    })

    describe('functions', () => {
      it('creates at generation 1 and round-trips the spec', async () => {
        const fn = newFunction({ replicas: 2, placement: ['eu', 'us'] })
        const before = Date.now()
        const created = await store.createFunction(fn)
        const after = Date.now()
        expect(created).toEqual({
          namespace: fn.namespace,
          name: fn.name,
          spec: fn.spec,
          replicas: 2,
          placement: ['eu', 'us'],
          generation: 1,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })
        expect(created!.createdAt.getTime()).toBeGreaterThanOrEqual(before)
        expect(created!.createdAt.getTime()).toBeLessThanOrEqual(after)
        expect(created!.updatedAt.getTime()).toBe(created!.createdAt.getTime())
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(created)
      })

      it('refuses a second live function of the same name', async () => {
        const fn = newFunction()
        const created = await store.createFunction(fn)
        expect(await store.createFunction({ ...fn, spec: specFor('other:2'), replicas: 5 })).toBeNull()
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(created)
      })

      it('returns null for unknown functions', async () => {
        const ns = unique('ns')
        expect(await store.getFunction(ns, 'nope')).toBeNull()
        expect(
          await store.updateFunction({ namespace: ns, name: 'nope', spec: specFor('x'), placement: [] }),
        ).toBeNull()
        expect(await store.setReplicas(ns, 'nope', 3)).toBeNull()
        expect(await store.markFunctionDeleted(ns, 'nope')).toBe(false)
      })

      it('updates spec and placement, keeping replicas unless given, bumping the generation', async () => {
        const fn = newFunction({ replicas: 3 })
        await store.createFunction(fn)
        const spec2 = { ...specFor('img:2'), envVars: { NEW: '✓' } }
        const u1 = await store.updateFunction({
          namespace: fn.namespace,
          name: fn.name,
          spec: spec2,
          placement: ['b'],
        })
        expect(u1).toMatchObject({ spec: spec2, placement: ['b'], replicas: 3, generation: 2 })
        expect(u1!.updatedAt.getTime()).toBeGreaterThanOrEqual(u1!.createdAt.getTime())

        const u2 = await store.updateFunction({
          namespace: fn.namespace,
          name: fn.name,
          spec: spec2,
          placement: ['b', 'c'],
          replicas: 0,
        })
        expect(u2).toMatchObject({ placement: ['b', 'c'], replicas: 0, generation: 3 })
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(u2)
      })

      it('sets replicas and bumps the generation', async () => {
        const fn = newFunction()
        await store.createFunction(fn)
        const r = await store.setReplicas(fn.namespace, fn.name, 7)
        expect(r).toMatchObject({ replicas: 7, generation: 2, spec: fn.spec })
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(r)
      })

      it('gives every concurrent setReplicas its own generation', async () => {
        const fn = newFunction()
        await store.createFunction(fn)
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.setReplicas(fn.namespace, fn.name, i)),
        )
        const generations = results.map((r) => r!.generation).sort((a, b) => a - b)
        expect(generations).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        expect((await store.getFunction(fn.namespace, fn.name))!.generation).toBe(11)
      })

      it('lists live functions by namespace in name order, and counts them', async () => {
        const ns1 = unique('ns')
        const ns2 = unique('ns')
        const b = await store.createFunction(newFunction({ namespace: ns1, name: unique('b') }))
        const a = await store.createFunction(newFunction({ namespace: ns1, name: unique('a') }))
        const c = await store.createFunction(newFunction({ namespace: ns2, name: unique('c') }))
        const gone = newFunction({ namespace: ns1 })
        await store.createFunction(gone)
        await store.markFunctionDeleted(ns1, gone.name)

        expect(await store.listFunctions(ns1)).toEqual([a, b])
        expect(await store.listFunctions(ns2)).toEqual([c])
        expect(await store.listFunctions(unique('ns'))).toEqual([])
        const all = (await store.listFunctions()).filter((f) => f.namespace === ns1 || f.namespace === ns2)
        expect(all.map((f) => f.name)).toEqual([a!.name, b!.name, c!.name])

        expect(await store.countFunctions(ns1)).toBe(2)
        expect(await store.countFunctions(ns2)).toBe(1)
        expect(await store.countFunctions(unique('ns'))).toBe(0)
      })

      it('tombstones a deleted function, hiding it from reads and writes', async () => {
        const fn = newFunction()
        await store.createFunction(fn)
        expect(await store.markFunctionDeleted(fn.namespace, fn.name)).toBe(true)
        expect(await store.markFunctionDeleted(fn.namespace, fn.name)).toBe(false)

        expect(await store.getFunction(fn.namespace, fn.name)).toBeNull()
        expect(await store.listFunctions(fn.namespace)).toEqual([])
        expect(await store.countFunctions(fn.namespace)).toBe(0)
        expect(await store.updateFunction({ ...fn, spec: specFor('x') })).toBeNull()
        expect(await store.setReplicas(fn.namespace, fn.name, 4)).toBeNull()

        const deleted = (await store.listDeletedFunctions()).filter((d) => d.namespace === fn.namespace)
        expect(deleted).toEqual([{ namespace: fn.namespace, name: fn.name, generation: 2 }])
      })

      it('purges a tombstone only at its current generation', async () => {
        const fn = newFunction()
        await store.createFunction(fn)
        await store.markFunctionDeleted(fn.namespace, fn.name)
        const inDeleted = async () =>
          (await store.listDeletedFunctions()).some((d) => d.namespace === fn.namespace && d.name === fn.name)

        await store.purgeFunction(fn.namespace, fn.name, 1)
        expect(await inDeleted()).toBe(true)
        await store.purgeFunction(fn.namespace, fn.name, 2)
        expect(await inDeleted()).toBe(false)
        // Gone for good: the name is free again and starts over.
        expect(await store.createFunction(fn)).toMatchObject({ generation: 1 })
      })

      it('never purges a live function', async () => {
        const fn = newFunction()
        const created = await store.createFunction(fn)
        await store.purgeFunction(fn.namespace, fn.name, 1)
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(created)
      })

      it('revives a tombstone on create, continuing its generations', async () => {
        const fn = newFunction({ replicas: 4, placement: ['old'] })
        const first = await store.createFunction(fn)
        await store.setReplicas(fn.namespace, fn.name, 9)
        await store.markFunctionDeleted(fn.namespace, fn.name)

        const spec = specFor('img:revived')
        const revived = await store.createFunction({ ...fn, spec, replicas: 1, placement: ['new'] })
        expect(revived).toMatchObject({ spec, replicas: 1, placement: ['new'], generation: 4 })
        expect(revived!.createdAt.getTime()).toBeGreaterThanOrEqual(first!.createdAt.getTime())
        expect(revived!.updatedAt.getTime()).toBe(revived!.createdAt.getTime())
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(revived)
        expect((await store.listDeletedFunctions()).some((d) => d.namespace === fn.namespace)).toBe(false)

        // A reconciler still holding the tombstone's generation must not remove the revived function.
        await store.purgeFunction(fn.namespace, fn.name, 3)
        expect(await store.getFunction(fn.namespace, fn.name)).toEqual(revived)
      })
    })

    describe('secrets', () => {
      it('creates once, reads, updates and deletes', async () => {
        const ns = unique('ns')
        const name = unique('secret')
        expect(await store.getSecret(ns, name)).toBeNull()
        expect(await store.createSecret(ns, name, 'v1:ciphertext')).toBe(true)
        expect(await store.createSecret(ns, name, 'v1:other')).toBe(false)

        const created = await store.getSecret(ns, name)
        expect(created).toEqual({
          namespace: ns,
          name,
          ciphertext: 'v1:ciphertext',
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })

        expect(await store.updateSecret(ns, name, 'v1:rotated')).toBe(true)
        const updated = await store.getSecret(ns, name)
        expect(updated).toMatchObject({ ciphertext: 'v1:rotated', createdAt: created!.createdAt })
        expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created!.updatedAt.getTime())

        expect(await store.deleteSecret(ns, name)).toBe(true)
        expect(await store.deleteSecret(ns, name)).toBe(false)
        expect(await store.updateSecret(ns, name, 'x')).toBe(false)
        expect(await store.getSecret(ns, name)).toBeNull()
      })

      it('lists one namespace in name order', async () => {
        const ns = unique('ns')
        const other = unique('ns')
        await store.createSecret(ns, 'b', 'B')
        await store.createSecret(ns, 'a', 'A')
        await store.createSecret(other, 'c', 'C')
        expect((await store.listSecrets(ns)).map((s) => [s.name, s.ciphertext])).toEqual([
          ['a', 'A'],
          ['b', 'B'],
        ])
        expect(await store.listSecrets(unique('ns'))).toEqual([])
      })
    })

    describe('backends', () => {
      it('upserts, keeping the creation time, and deletes', async () => {
        const name = unique('backend')
        const config = {
          url: 'https://k8s.example',
          weights: [80, 20],
          tls: { insecure: false, ca: null },
          名: '✓',
        }
        await store.upsertBackend({ name, kind: 'faas-provider', config })
        const created = await store.getBackend(name)
        expect(created).toEqual({ name, kind: 'faas-provider', config, createdAt: expect.any(Date) })

        await store.upsertBackend({ name, kind: 'lambda', config: { region: 'eu-west-1' } })
        expect(await store.getBackend(name)).toEqual({
          name,
          kind: 'lambda',
          config: { region: 'eu-west-1' },
          createdAt: created!.createdAt,
        })
        expect((await store.listBackends()).filter((b) => b.name === name)).toHaveLength(1)

        expect(await store.deleteBackend(name)).toBe(true)
        expect(await store.deleteBackend(name)).toBe(false)
        expect(await store.getBackend(name)).toBeNull()
      })

      it('lists in name order', async () => {
        const [a, b] = [unique('backend-b'), unique('backend-a')]
        await store.upsertBackend({ name: a, kind: 'local', config: {} })
        await store.upsertBackend({ name: b, kind: 'local', config: {} })
        const names = (await store.listBackends()).map((x) => x.name).filter((n) => n === a || n === b)
        expect(names).toEqual([a, b].sort())
      })
    })

    describe('deployments', () => {
      it('creates a pending row with defaults, then changes only the given fields', async () => {
        const key = { namespace: unique('ns'), functionName: unique('fn'), backend: unique('backend') }
        await store.upsertDeployment(key)
        const [created] = await store.listDeployments(key)
        expect(created).toEqual({
          ...key,
          status: 'pending',
          appliedGeneration: 0,
          observedReplicas: 0,
          availableReplicas: 0,
          lastError: null,
          attempts: 0,
          nextAttemptAt: null,
          updatedAt: expect.any(Date),
        })

        const retryAt = new Date('2031-02-03T04:05:06.789Z')
        await store.upsertDeployment({
          ...key,
          status: 'error',
          lastError: 'pull failed: ✗',
          attempts: 1,
          nextAttemptAt: retryAt,
        })
        const [failed] = await store.listDeployments(key)
        expect(failed).toMatchObject({
          status: 'error',
          appliedGeneration: 0,
          observedReplicas: 0,
          lastError: 'pull failed: ✗',
          attempts: 1,
        })
        expect(failed!.nextAttemptAt).toBeInstanceOf(Date)
        expect(failed!.nextAttemptAt!.getTime()).toBe(retryAt.getTime())
        expect(failed!.updatedAt.getTime()).toBeGreaterThanOrEqual(created!.updatedAt.getTime())

        await store.upsertDeployment({
          ...key,
          status: 'ready',
          appliedGeneration: 3,
          observedReplicas: 2,
          availableReplicas: 2,
          lastError: null,
          attempts: 0,
          nextAttemptAt: null,
        })
        await store.upsertDeployment({ ...key, availableReplicas: 1 })
        expect(await store.listDeployments(key)).toEqual([
          {
            ...key,
            status: 'ready',
            appliedGeneration: 3,
            observedReplicas: 2,
            availableReplicas: 1,
            lastError: null,
            attempts: 0,
            nextAttemptAt: null,
            updatedAt: expect.any(Date),
          },
        ])
      })

      it('creates with the given fields over the defaults', async () => {
        const key = { namespace: unique('ns'), functionName: unique('fn'), backend: 'b' }
        await store.upsertDeployment({ ...key, status: 'removing', appliedGeneration: 5 })
        expect(await store.listDeployments(key)).toEqual([
          expect.objectContaining({ status: 'removing', appliedGeneration: 5, attempts: 0, lastError: null }),
        ])
      })

      it('filters by namespace, function and backend, and deletes', async () => {
        const ns = unique('ns')
        const other = unique('ns')
        const rows = [
          { namespace: ns, functionName: 'f1', backend: 'eu' },
          { namespace: ns, functionName: 'f1', backend: 'us' },
          { namespace: ns, functionName: 'f2', backend: 'eu' },
          { namespace: other, functionName: 'f1', backend: 'eu' },
        ]
        for (const r of rows) await store.upsertDeployment(r)
        const keys = async (filter: Parameters<Store['listDeployments']>[0]) =>
          (await store.listDeployments(filter)).map(
            (d) => `${d.namespace === ns ? 'ns' : 'other'}/${d.functionName}/${d.backend}`,
          )

        expect(await keys({ namespace: ns })).toEqual(['ns/f1/eu', 'ns/f1/us', 'ns/f2/eu'])
        expect(await keys({ namespace: ns, functionName: 'f1' })).toEqual(['ns/f1/eu', 'ns/f1/us'])
        expect(await keys({ namespace: ns, backend: 'eu' })).toEqual(['ns/f1/eu', 'ns/f2/eu'])
        expect(await keys({ namespace: other })).toEqual(['other/f1/eu'])
        const unfiltered = (await store.listDeployments()).filter(
          (d) => d.namespace === ns || d.namespace === other,
        )
        expect(unfiltered).toHaveLength(4)

        await store.deleteDeployment(ns, 'f1', 'us')
        await store.deleteDeployment(ns, 'f1', 'us')
        expect(await keys({ namespace: ns })).toEqual(['ns/f1/eu', 'ns/f2/eu'])
      })
    })

    describe('leases', () => {
      const t0 = new Date('2030-01-01T00:00:00.000Z')
      const at = (ms: number) => new Date(t0.getTime() + ms)

      it('is taken by one holder, renewed by it, refused to others until it expires', async () => {
        const lease = unique('lease')
        expect(await store.tryAcquireLease(lease, 'a', 1000, t0)).toBe(true)
        expect(await store.tryAcquireLease(lease, 'b', 1000, at(10))).toBe(false)
        // Renewal moves the expiry to 500 + 1000.
        expect(await store.tryAcquireLease(lease, 'a', 1000, at(500))).toBe(true)
        expect(await store.tryAcquireLease(lease, 'b', 1000, at(1200))).toBe(false)
        expect(await store.tryAcquireLease(lease, 'b', 1000, at(1499))).toBe(false)
        // Expired at exactly its expiry time: the next holder takes over, and the old one is refused.
        expect(await store.tryAcquireLease(lease, 'b', 1000, at(1500))).toBe(true)
        expect(await store.tryAcquireLease(lease, 'a', 1000, at(1600))).toBe(false)
      })

      it('is released only by its holder', async () => {
        const lease = unique('lease')
        expect(await store.tryAcquireLease(lease, 'a', 60_000, t0)).toBe(true)
        await store.releaseLease(lease, 'b')
        expect(await store.tryAcquireLease(lease, 'b', 60_000, at(1))).toBe(false)
        await store.releaseLease(lease, 'a')
        expect(await store.tryAcquireLease(lease, 'b', 60_000, at(2))).toBe(true)
        await store.releaseLease(unique('lease'), 'nobody')
      })

      it('keeps leases of different names apart', async () => {
        const [l1, l2] = [unique('lease'), unique('lease')]
        expect(await store.tryAcquireLease(l1, 'a', 1000, t0)).toBe(true)
        expect(await store.tryAcquireLease(l2, 'b', 1000, t0)).toBe(true)
      })
    })
  })
}
