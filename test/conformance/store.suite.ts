/**
 * @module
 * The Store contract, run against every implementation: embedded SQLite, PostgreSQL, and D1 inside workerd.
 * It imports nothing but vitest and the Store types, because the workerd run has no `node:` modules.
 * Every test makes its own names, so all runs can share one database and tests stay independent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRecord } from '../../src/queue/types.ts'
import type { FunctionSpec, NewFunction, ScalingState, Store } from '../../src/store/types.ts'

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

/** Waits until the clock has moved past `ms`, so rows written next get a later timestamp. */
async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1))
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

      it('moves a function at the expected generation without bumping it', async () => {
        const fn = newFunction({ placement: ['a'] })
        const created = await store.createFunction(fn)
        expect(await store.setPlacement(fn.namespace, fn.name, ['b', 'c'], created!.generation + 1)).toBe(
          false,
        )
        expect(await store.setPlacement(fn.namespace, fn.name, ['b', 'c'], created!.generation)).toBe(true)
        const moved = await store.getFunction(fn.namespace, fn.name)
        expect(moved).toMatchObject({ placement: ['b', 'c'], generation: created!.generation })
        await store.markFunctionDeleted(fn.namespace, fn.name)
        expect(await store.setPlacement(fn.namespace, fn.name, ['a'], created!.generation + 1)).toBe(false)
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
        expect(created).toEqual({
          name,
          kind: 'faas-provider',
          config,
          labels: {},
          isDefault: false,
          credentials: null,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })

        await clockPast(created!.updatedAt.getTime())
        await store.upsertBackend({
          name,
          kind: 'lambda',
          config: { region: 'eu-west-1' },
          labels: tricky,
          isDefault: true,
          credentials: 'v1:sealed',
        })
        const replaced = await store.getBackend(name)
        expect(replaced).toEqual({
          name,
          kind: 'lambda',
          config: { region: 'eu-west-1' },
          labels: tricky,
          isDefault: true,
          credentials: 'v1:sealed',
          createdAt: created!.createdAt,
          updatedAt: expect.any(Date),
        })
        expect(replaced!.updatedAt.getTime()).toBeGreaterThan(created!.updatedAt.getTime())
        expect((await store.listBackends()).filter((b) => b.name === name)).toHaveLength(1)

        expect(await store.deleteBackend(name)).toBe(true)
        expect(await store.deleteBackend(name)).toBe(false)
        expect(await store.getBackend(name)).toBeNull()
      })

      it('creates once, and replaces only an existing backend', async () => {
        const name = unique('backend')
        const backend = { name, kind: 'openfaas', config: { url: 'https://a.example' } }
        expect(await store.replaceBackend(backend)).toBe(false)
        expect(await store.getBackend(name)).toBeNull()
        expect(await store.createBackend({ ...backend, labels: { region: 'eu' } })).toBe(true)
        expect(await store.createBackend({ ...backend, kind: 'other' })).toBe(false)
        const created = await store.getBackend(name)
        expect(created).toMatchObject({ kind: 'openfaas', labels: { region: 'eu' }, credentials: null })
        expect(
          await store.replaceBackend({
            ...backend,
            config: { url: 'https://b.example' },
            credentials: 'v1:x',
          }),
        ).toBe(true)
        expect(await store.getBackend(name)).toEqual({
          ...created,
          config: { url: 'https://b.example' },
          labels: {},
          credentials: 'v1:x',
          updatedAt: expect.any(Date),
        })
      })

      it('clears the default flag from every backend but one', async () => {
        const [a, b, c] = [unique('backend'), unique('backend'), unique('backend')]
        for (const name of [a, b, c])
          await store.upsertBackend({ name, kind: 'openfaas', config: {}, isDefault: true })
        await store.clearDefaultBackends(b)
        const flags = (await store.listBackends())
          .filter((x) => [a, b, c].includes(x.name))
          .map((x) => [x.name, x.isDefault])
        expect(flags).toEqual([
          [a, false],
          [b, true],
          [c, false],
        ])
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

    describe('domains', () => {
      const domain = (host: string, namespace: string, functionName: string) => ({
        host,
        namespace,
        functionName,
        pathPrefix: '/v1',
        redirectHttps: false,
        tls: 'acme' as const,
        source: 'api' as const,
      })

      it('creates a host once, lists by namespace and function, updates only for its namespace', async () => {
        const ns = unique('ns')
        const host = `${unique('api')}.example.com`
        expect(await store.createDomain(domain(host, ns, 'env'))).toBe(true)
        expect(await store.createDomain(domain(host, unique('ns'), 'other'))).toBe(false)
        expect(await store.getDomain(host)).toMatchObject({
          host,
          namespace: ns,
          functionName: 'env',
          pathPrefix: '/v1',
          redirectHttps: false,
          tls: 'acme',
          source: 'api',
        })
        const wildcard = `*.${unique('w')}.example.com`
        await store.createDomain(domain(wildcard, ns, 'wide'))
        expect((await store.listDomains({ namespace: ns })).map((d) => d.host)).toEqual(
          [wildcard, host].sort(),
        )
        expect((await store.listDomains({ namespace: ns, functionName: 'env' })).map((d) => d.host)).toEqual([
          host,
        ])
        const change = { functionName: 'env2', pathPrefix: '/', redirectHttps: true, tls: 'none' as const }
        expect(await store.updateDomain(host, unique('ns'), change)).toBeNull()
        expect(await store.updateDomain(host, ns, change)).toMatchObject({
          functionName: 'env2',
          redirectHttps: true,
          tls: 'none',
        })
        expect(await store.deleteDomain(host)).toBe(true)
        expect(await store.deleteDomain(host)).toBe(false)
        expect(await store.getDomain(host)).toBeNull()
      })

      it("lets a function claim a free host or its own, never another function's", async () => {
        const ns = unique('ns')
        const host = `${unique('claim')}.example.com`
        const mine = { ...domain(host, ns, 'fn'), source: 'annotation' as const }
        expect(await store.claimDomain(mine)).toMatchObject({
          created: true,
          record: { host, source: 'annotation' },
        })
        await clockPast(Date.now())
        expect(await store.claimDomain({ ...mine, pathPrefix: '/v2' })).toMatchObject({
          created: false,
          record: { pathPrefix: '/v2' },
        })
        expect(await store.claimDomain({ ...mine, functionName: 'thief' })).toBeNull()
        expect(await store.claimDomain({ ...mine, namespace: unique('ns') })).toBeNull()
        expect((await store.getDomain(host))?.functionName).toBe('fn')
      })

      it("drops a function's annotation domains except those kept, never its API ones", async () => {
        const ns = unique('ns')
        const [a, b, c] = [1, 2, 3].map((i) => `${unique(`d${i}`)}.example.com`) as [string, string, string]
        await store.claimDomain({ ...domain(a, ns, 'fn'), source: 'annotation' })
        await store.claimDomain({ ...domain(b, ns, 'fn'), source: 'annotation' })
        await store.createDomain(domain(c, ns, 'fn'))
        expect(await store.deleteAnnotationDomains(ns, 'fn', [a])).toEqual([b])
        expect(await store.deleteAnnotationDomains(ns, 'fn', [])).toEqual([a])
        expect((await store.listDomains({ namespace: ns })).map((d) => d.host)).toEqual([c])
      })
    })

    describe('certificates', () => {
      it('stores certificates with a rising version, records failures without losing the certificate', async () => {
        const host = `${unique('tls')}.example.com`
        expect(await store.getCertificate(host)).toBeNull()
        const retryAt = new Date('2030-01-01T00:00:30.000Z')
        await store.recordCertificateFailure(host, 'connection refused', retryAt)
        expect(await store.getCertificate(host)).toMatchObject({
          host,
          chainPem: null,
          source: null,
          attempts: 1,
          lastError: 'connection refused',
          nextAttemptAt: retryAt,
        })
        const notBefore = new Date('2030-01-01T00:00:00.000Z')
        const notAfter = new Date('2030-04-01T00:00:00.000Z')
        const first = await store.saveCertificate(host, {
          source: 'acme',
          chainPem: 'PEM-1',
          keyCiphertext: 'v1:key',
          notBefore,
          notAfter,
        })
        expect(first).toMatchObject({
          host,
          version: first.version,
          attempts: 0,
          lastError: null,
          nextAttemptAt: null,
          notAfter,
        })
        await store.recordCertificateFailure(host, 'rate limited', retryAt)
        expect(await store.getCertificate(host)).toMatchObject({
          chainPem: 'PEM-1',
          keyCiphertext: 'v1:key',
          attempts: 1,
          lastError: 'rate limited',
        })
        const second = await store.saveCertificate(host, {
          source: 'uploaded',
          chainPem: 'PEM-2',
          keyCiphertext: 'v1:key2',
          notBefore,
          notAfter,
        })
        expect(second.version).toBe(first.version + 1)
        const listed = (await store.listCertificates()).find((c) => c.host === host)
        expect(listed).toMatchObject({ version: second.version, source: 'uploaded', attempts: 0 })
        expect(listed).not.toHaveProperty('keyCiphertext')
        expect(listed).not.toHaveProperty('chainPem')
        expect(await store.deleteCertificate(host)).toBe(true)
        expect(await store.deleteCertificate(host)).toBe(false)
      })
    })

    describe('acme', () => {
      it('keeps the first account stored for a directory', async () => {
        const url = `https://${unique('ca')}.example/directory`
        expect(await store.getAcmeAccount(url)).toBeNull()
        expect((await store.saveAcmeAccount(url, 'v1:first')).keyCiphertext).toBe('v1:first')
        expect((await store.saveAcmeAccount(url, 'v1:second')).keyCiphertext).toBe('v1:first')
        expect((await store.getAcmeAccount(url))?.keyCiphertext).toBe('v1:first')
      })

      it('answers a challenge until it expires or is removed', async () => {
        const t0 = new Date('2030-01-01T00:00:00.000Z')
        const token = unique('token')
        await store.putAcmeChallenge({
          token,
          host: 'a.example.com',
          keyAuthorization: `${token}.thumb`,
          expiresAt: new Date(t0.getTime() + 1000),
        })
        expect(await store.getAcmeChallenge(token, t0)).toMatchObject({
          host: 'a.example.com',
          keyAuthorization: `${token}.thumb`,
        })
        expect(await store.getAcmeChallenge(token, new Date(t0.getTime() + 1000))).toBeNull()
        await store.pruneAcmeChallenges(new Date(t0.getTime() + 500))
        expect(await store.getAcmeChallenge(token, t0)).not.toBeNull()
        await store.deleteAcmeChallenge(token)
        expect(await store.getAcmeChallenge(token, t0)).toBeNull()
        const other = unique('token')
        await store.putAcmeChallenge({
          token: other,
          host: 'b.example.com',
          keyAuthorization: 'k',
          expiresAt: t0,
        })
        await store.pruneAcmeChallenges(t0)
        expect(await store.getAcmeChallenge(other, new Date(0))).toBeNull()
      })
    })

    describe('autoscale', () => {
      it('upserts load samples per gateway and function, lists the fresh ones, drops the stale', async () => {
        const ns = unique('ns')
        const t = new Date('2031-01-01T00:00:00.000Z')
        const later = new Date(t.getTime() + 5000)
        const sample = { namespace: ns, function: 'f', rps: 1.5, okRps: 1, inflight: 0.5, started: 7 }
        await store.putLoadSamples([
          { ...sample, instance: 'a', updatedAt: t },
          { ...sample, instance: 'b', updatedAt: t },
        ])
        await store.putLoadSamples([{ ...sample, instance: 'a', rps: 20.25, updatedAt: later }])
        const fresh = (await store.listLoadSamples(later)).filter((s) => s.namespace === ns)
        expect(fresh).toEqual([{ ...sample, instance: 'a', rps: 20.25, updatedAt: later }])
        expect((await store.listLoadSamples(t)).filter((s) => s.namespace === ns)).toHaveLength(2)
        await store.deleteLoadSamplesBefore(later)
        expect((await store.listLoadSamples(t)).filter((s) => s.namespace === ns)).toHaveLength(1)
      })

      it('keeps one scaling state per function, replaced on write', async () => {
        const ns = unique('ns')
        const state = {
          idleSince: 1,
          recommendations: [[2, 3]] as Array<[number, number]>,
          alertFiring: true,
          alertStepAt: 4,
        }
        await store.putScalingState(ns, 'f', state)
        await store.putScalingState(ns, 'f', { ...state, idleSince: 1_800_000_000_123 })
        const mine = (await store.getScalingStates()).filter((s) => s.namespace === ns)
        expect(mine).toEqual([
          { namespace: ns, function: 'f', state: { ...state, idleSince: 1_800_000_000_123 } },
        ])
        // Busy again: the idle clock stops, and a successor must read it stopped.
        await store.putScalingState(ns, 'f', { ...state, idleSince: null })
        const busy = (await store.getScalingStates()).filter((s) => s.namespace === ns)
        expect(busy).toEqual([{ namespace: ns, function: 'f', state: { ...state, idleSince: null } }])
        await store.deleteScalingState(ns, 'f')
        expect((await store.getScalingStates()).filter((s) => s.namespace === ns)).toEqual([])
      })

      it('reads a scaling state stored before the idle clock as one whose clock has not started', async () => {
        const ns = unique('ns')
        // What a gateway of the previous release stored: the last active tick, no idle clock.
        const legacy = { lastActiveAt: 5, recommendations: [[2, 3]], alertFiring: false, alertStepAt: 0 }
        await store.putScalingState(ns, 'f', legacy as unknown as ScalingState)
        const mine = (await store.getScalingStates()).filter((s) => s.namespace === ns)
        expect(mine).toEqual([
          {
            namespace: ns,
            function: 'f',
            state: { idleSince: null, recommendations: [[2, 3]], alertFiring: false, alertStepAt: 0 },
          },
        ])
        await store.deleteScalingState(ns, 'f')
      })

      it('keeps the newest N scaling decisions of a function, newest first', async () => {
        const ns = unique('ns')
        const inputs = { mode: 'rps', load: 20, target: 4.5, ready: 1, min: 1, max: 4, source: 'builtin' }
        for (let i = 0; i < 5; i++) {
          await store.addScalingDecision(
            {
              id: unique('d'),
              namespace: ns,
              function: 'f',
              at: new Date(1_900_000_000_000 + i * 1000),
              fromReplicas: i,
              toReplicas: i + 1,
              reason: `step ${i}`,
              inputs,
            },
            3,
          )
        }
        await store.addScalingDecision(
          {
            id: unique('d'),
            namespace: ns,
            function: 'g',
            at: new Date(1_900_000_000_000),
            fromReplicas: 1,
            toReplicas: 0,
            reason: 'idle',
            inputs,
          },
          3,
        )
        const list = await store.listScalingDecisions(ns, 'f', 10)
        expect(list.map((d) => d.reason)).toEqual(['step 4', 'step 3', 'step 2'])
        expect(list[0]).toMatchObject({
          namespace: ns,
          function: 'f',
          fromReplicas: 4,
          toReplicas: 5,
          inputs,
        })
        expect(await store.listScalingDecisions(ns, 'f', 1)).toHaveLength(1)
        expect(await store.listScalingDecisions(ns, 'g', 10)).toHaveLength(1)
      })

      it('counts the async backlog (queued and running calls) per function', async () => {
        const ns = unique('ns')
        const ids = [unique('c'), unique('c'), unique('c'), unique('c')]
        for (const id of ids) await store.createCall({ id, namespace: ns, function: 'f', queue: 'default' })
        await store.createCall({ id: unique('c'), namespace: ns, function: 'g', queue: 'default' })
        await store.updateCall(ids[0] as string, { status: 'running' })
        await store.updateCall(ids[1] as string, { status: 'succeeded' })
        const mine = (await store.countBacklog()).filter((b) => b.namespace === ns)
        expect(mine.sort((a, b) => a.function.localeCompare(b.function))).toEqual([
          { namespace: ns, function: 'f', count: 3 },
          { namespace: ns, function: 'g', count: 1 },
        ])
      })
    })

    describe('queue messages', () => {
      const t0 = new Date('2030-01-01T00:00:00.000Z')
      const at = (ms: number) => new Date(t0.getTime() + ms)
      const record = (queue: string, over: Partial<CallRecord> = {}): CallRecord => ({
        id: unique('call'),
        queue,
        namespace: 'openfaas-fn',
        function: 'echo',
        method: 'POST',
        path: '/a/b',
        query: 'x=1&x=2',
        headers: [
          ['x-b', '2'],
          ['x-a', 'ü ✓'],
          ['x-b', '1'],
        ],
        body: 'AAEC/w==',
        callbackUrl: null,
        enqueuedAt: t0.getTime(),
        ...over,
      })

      it('inserts once and leases the record intact with a first delivery', async () => {
        const q = unique('queue')
        const r = record(q, { callbackUrl: 'https://hooks.example/ü?a=1' })
        expect(await store.queueInsert(r, t0)).toBe(true)
        expect(await store.queueInsert({ ...r, body: '' }, t0)).toBe(false)
        expect(await store.queueLease(q, 10, 'tok-1', at(1000), t0)).toEqual([
          { record: r, deliveryCount: 1, leaseToken: 'tok-1' },
        ])
        expect(await store.queueLease(q, 10, 'tok-2', at(1000), t0)).toEqual([])
      })

      it('leases only due messages, at most max, in order of availability', async () => {
        const q = unique('queue')
        const [late, early, middle] = [record(q), record(q), record(q)]
        await store.queueInsert(late, at(30))
        await store.queueInsert(early, at(10))
        await store.queueInsert(middle, at(20))

        expect(await store.queueLease(q, 10, 'a', at(1000), at(9))).toEqual([])
        expect(await store.queueLease(q, 0, 'a', at(1000), at(100))).toEqual([])
        const firstTwo = await store.queueLease(q, 2, 'a', at(1000), at(100))
        expect(firstTwo.map((m) => m.record.id)).toEqual([early.id, middle.id])
        const rest = await store.queueLease(q, 2, 'b', at(1000), at(100))
        expect(rest.map((m) => m.record.id)).toEqual([late.id])
      })

      it('keeps a leased message until its lease ends, then leases it again with a new token', async () => {
        const q = unique('queue')
        const r = record(q)
        await store.queueInsert(r, t0)
        await store.queueLease(q, 1, 'first', at(1000), t0)
        expect(await store.queueLease(q, 1, 'other', at(2000), at(999))).toEqual([])
        // Ended at exactly its end time.
        expect(await store.queueLease(q, 1, 'second', at(2000), at(1000))).toEqual([
          { record: r, deliveryCount: 2, leaseToken: 'second' },
        ])
      })

      it('acks, retries and extends only with the token that holds the lease', async () => {
        const q = unique('queue')
        const r = record(q)
        await store.queueInsert(r, t0)
        await store.queueLease(q, 1, 'old', at(100), t0)
        await store.queueLease(q, 1, 'new', at(1100), at(100))

        expect(await store.queueAck(r.id, 'old')).toBe(false)
        expect(await store.queueRetry(r.id, 'old', t0)).toBe(false)
        expect(await store.queueExtend(r.id, 'old', at(50_000))).toBe(false)
        expect(await store.queueDepth(q)).toBe(1)
        expect(await store.queueLease(q, 1, 'x', at(5000), at(1099))).toEqual([])

        expect(await store.queueExtend(r.id, 'new', at(3000))).toBe(true)
        expect(await store.queueLease(q, 1, 'x', at(5000), at(2999))).toEqual([])

        expect(await store.queueRetry(r.id, 'new', at(4000))).toBe(true)
        // The retry released the lease: the token no longer holds it.
        expect(await store.queueAck(r.id, 'new')).toBe(false)
        expect(await store.queueLease(q, 1, 'x', at(9000), at(3999))).toEqual([])
        const [again] = await store.queueLease(q, 1, 'last', at(9000), at(4000))
        expect(again).toMatchObject({ deliveryCount: 3, leaseToken: 'last' })

        expect(await store.queueAck(r.id, 'last')).toBe(true)
        expect(await store.queueAck(r.id, 'last')).toBe(false)
        expect(await store.queueDepth(q)).toBe(0)
        expect(await store.queueLease(q, 1, 'y', at(100_000), at(50_000))).toEqual([])
      })

      it('counts available, delayed and leased messages per queue', async () => {
        const [q, other] = [unique('queue'), unique('queue')]
        await store.queueInsert(record(q), t0)
        await store.queueInsert(record(q), t0)
        await store.queueInsert(record(q), at(60_000))
        await store.queueInsert(record(other), t0)
        await store.queueLease(q, 1, 't', at(1000), t0)
        expect(await store.queueDepth(q)).toBe(3)
        expect(await store.queueDepth(other)).toBe(1)
        expect(await store.queueDepth(unique('queue'))).toBe(0)
      })

      it('never leases one message to two concurrent callers', async () => {
        const q = unique('queue')
        for (let i = 0; i < 30; i++) await store.queueInsert(record(q), t0)
        const batches = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.queueLease(q, 4, `tok-${i}`, at(1000), t0)),
        )
        for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(4)
        const ids = batches.flat().map((m) => m.record.id)
        expect(ids).toHaveLength(30)
        expect(new Set(ids).size).toBe(30)
      })
    })

    describe('calls', () => {
      const newCall = () => ({
        id: unique('call'),
        namespace: unique('ns'),
        function: 'echo',
        queue: 'default',
      })

      it('creates once as queued and updates the given fields', async () => {
        const c = newCall()
        const before = Date.now()
        expect(await store.createCall(c)).toBe(true)
        expect(await store.createCall({ ...c, queue: 'other' })).toBe(false)
        const created = await store.getCall(c.id)
        expect(created).toEqual({
          ...c,
          status: 'queued',
          attempts: 0,
          lastStatus: null,
          lastError: null,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })
        expect(created!.createdAt.getTime()).toBeGreaterThanOrEqual(before)
        expect(created!.updatedAt.getTime()).toBe(created!.createdAt.getTime())

        const failed = await store.updateCall(c.id, {
          status: 'queued',
          attempts: 1,
          lastStatus: 502,
          lastError: 'bad gateway ✗',
        })
        expect(failed).toMatchObject({ ...c, status: 'queued', attempts: 1, lastStatus: 502 })
        expect(failed!.updatedAt.getTime()).toBeGreaterThanOrEqual(created!.updatedAt.getTime())
        expect(failed!.createdAt).toEqual(created!.createdAt)

        const done = await store.updateCall(c.id, { status: 'succeeded', lastStatus: 200, lastError: null })
        expect(done).toMatchObject({ status: 'succeeded', attempts: 1, lastStatus: 200, lastError: null })
        expect(await store.getCall(c.id)).toEqual(done)
        expect(await store.getCall(unique('call'))).toBeNull()
        expect(await store.updateCall(unique('call'), { status: 'failed' })).toBeNull()
      })

      it('updates only from the expected statuses when asked to', async () => {
        const c = newCall()
        await store.createCall(c)
        expect(await store.updateCall(c.id, { status: 'running' }, ['running'])).toBeNull()
        expect(await store.updateCall(c.id, { status: 'running' }, [])).toBeNull()
        expect(await store.updateCall(c.id, { status: 'running' }, ['queued', 'failed'])).toMatchObject({
          status: 'running',
        })
        expect(await store.getCall(c.id)).toMatchObject({ status: 'running' })
      })

      it('claims a batch in one call: queued and running (redelivered) calls, never cancelled, finished or unknown ones', async () => {
        const [queued, redelivered, cancelled, finished, again] = [1, 2, 3, 4, 5].map(newCall) as [
          ReturnType<typeof newCall>,
          ReturnType<typeof newCall>,
          ReturnType<typeof newCall>,
          ReturnType<typeof newCall>,
          ReturnType<typeof newCall>,
        ]
        for (const c of [queued, redelivered, cancelled, finished, again]) await store.createCall(c)
        await store.updateCall(redelivered.id, { status: 'running', attempts: 1 })
        await store.cancelCall(cancelled.id)
        await store.updateCall(finished.id, { status: 'succeeded', attempts: 1 })
        const before = await store.getCall(queued.id)
        expect(await store.claimCalls([])).toEqual(new Set())
        const claimed = await store.claimCalls([
          { id: queued.id, attempts: 1 },
          { id: redelivered.id, attempts: 2 },
          { id: cancelled.id, attempts: 1 },
          { id: finished.id, attempts: 2 },
          { id: unique('call'), attempts: 1 },
          { id: again.id, attempts: 3 },
        ])
        expect(claimed).toEqual(new Set([queued.id, redelivered.id, again.id]))
        expect(await store.getCall(queued.id)).toMatchObject({ status: 'running', attempts: 1 })
        expect((await store.getCall(queued.id))!.updatedAt.getTime()).toBeGreaterThanOrEqual(
          before!.updatedAt.getTime(),
        )
        expect(await store.getCall(redelivered.id)).toMatchObject({ status: 'running', attempts: 2 })
        expect(await store.getCall(again.id)).toMatchObject({ status: 'running', attempts: 3 })
        expect(await store.getCall(cancelled.id)).toMatchObject({ status: 'cancelled', attempts: 0 })
        expect(await store.getCall(finished.id)).toMatchObject({ status: 'succeeded', attempts: 1 })
      })

      it('claims a batch larger than one statement binds (D1: 100 parameters)', async () => {
        const many = Array.from({ length: 230 }, newCall)
        for (const c of many) await store.createCall(c)
        const claimed = await store.claimCalls(many.map((c) => ({ id: c.id, attempts: 1 })))
        expect(claimed.size).toBe(230)
        expect(await store.getCall(many[229]!.id)).toMatchObject({ status: 'running', attempts: 1 })
      })

      it('finishes a call with the given fields and says whether it exists', async () => {
        const c = newCall()
        await store.createCall(c)
        await store.updateCall(c.id, { status: 'running', attempts: 2, lastError: 'earlier' })
        expect(await store.finishCall(c.id, { status: 'succeeded', lastStatus: 200, lastError: null })).toBe(
          true,
        )
        expect(await store.getCall(c.id)).toMatchObject({
          status: 'succeeded',
          attempts: 2,
          lastStatus: 200,
          lastError: null,
        })
        expect(await store.finishCall(c.id, { status: 'failed' })).toBe(true)
        expect(await store.getCall(c.id)).toMatchObject({ status: 'failed', lastStatus: 200 })
        expect(await store.finishCall(unique('call'), { status: 'failed' })).toBe(false)
      })

      it('cancels only a queued call, after which a guarded start loses', async () => {
        const c = newCall()
        expect(await store.cancelCall(c.id)).toBe(false)
        await store.createCall(c)
        expect(await store.cancelCall(c.id)).toBe(true)
        expect(await store.cancelCall(c.id)).toBe(false)
        expect(await store.updateCall(c.id, { status: 'running' }, ['queued'])).toBeNull()
        expect(await store.getCall(c.id)).toMatchObject({ status: 'cancelled' })

        const running = newCall()
        await store.createCall(running)
        await store.updateCall(running.id, { status: 'running' })
        expect(await store.cancelCall(running.id)).toBe(false)
        expect(await store.getCall(running.id)).toMatchObject({ status: 'running' })
      })

      it('deletes finished calls last updated before the cutoff, keeping unfinished ones', async () => {
        const statuses = ['succeeded', 'failed', 'dead', 'cancelled', 'queued', 'running'] as const
        const old = statuses.map(() => newCall())
        for (const [i, c] of old.entries()) {
          await store.createCall(c)
          await store.updateCall(c.id, { status: statuses[i] })
        }
        const newest = Math.max(
          ...(await Promise.all(old.map((c) => store.getCall(c.id)))).map((c) => c!.updatedAt.getTime()),
        )
        const cutoff = new Date(newest + 1)
        await clockPast(cutoff.getTime())
        const recent = newCall()
        await store.createCall(recent)
        await store.updateCall(recent.id, { status: 'succeeded' })

        expect(await store.deleteCallsBefore(cutoff)).toBeGreaterThanOrEqual(4)
        const left = await Promise.all(old.map((c) => store.getCall(c.id)))
        expect(left.map((c) => c?.status ?? null)).toEqual([null, null, null, null, 'queued', 'running'])
        expect(await store.getCall(recent.id)).toMatchObject({ status: 'succeeded' })
      })

      it('lists calls by last change, newest first, filtered and paged without repeats', async () => {
        const ns = unique('ns')
        const made: string[] = []
        for (const [fn, status] of [
          ['a', 'succeeded'],
          ['b', 'dead'],
          ['a', 'dead'],
          ['a', 'queued'],
          ['b', 'succeeded'],
        ] as const) {
          const id = unique('call')
          await store.createCall({ id, namespace: ns, function: fn, queue: 'default' })
          await store.updateCall(id, { status })
          made.push(id)
          // Distinct change times, so the expected order is the order written.
          await clockPast((await store.getCall(id))!.updatedAt.getTime())
        }
        const newestFirst = [...made].reverse()

        const all = await store.listCalls({ namespace: ns, limit: 10 })
        expect(all.items.map((c) => c.id)).toEqual(newestFirst)
        expect(all.next).toBeNull()
        expect(all.items[0]).toMatchObject({ namespace: ns, function: 'b', status: 'succeeded' })

        const seen: string[] = []
        let after: string | undefined
        for (let pages = 0; pages < 5; pages++) {
          const page = await store.listCalls({ namespace: ns, limit: 2, ...(after ? { after } : {}) })
          seen.push(...page.items.map((c) => c.id))
          if (!page.next) break
          after = page.next
        }
        expect(seen).toEqual(newestFirst)

        const deadOfA = await store.listCalls({ namespace: ns, function: 'a', status: 'dead', limit: 10 })
        expect(deadOfA.items.map((c) => c.id)).toEqual([made[2]])
        const dead = await store.listCalls({ namespace: ns, status: 'dead', limit: 10 })
        expect(dead.items.map((c) => c.id)).toEqual([made[2], made[1]])
        expect((await store.listCalls({ namespace: unique('ns'), limit: 10 })).items).toEqual([])

        // A call that changes moves to the top: later pages do not show it again.
        const first = await store.listCalls({ namespace: ns, limit: 2 })
        await store.updateCall(made[0]!, { status: 'failed' })
        const rest = await store.listCalls({ namespace: ns, limit: 10, after: first.next! })
        expect(rest.items.map((c) => c.id)).toEqual(newestFirst.slice(2, 4))

        await expect(store.listCalls({ limit: 1, after: 'not-a-cursor' })).rejects.toMatchObject({
          name: 'InvalidCursorError',
        })
      })
    })

    describe('dead letters', () => {
      const record = (namespace: string, fn: string): CallRecord => ({
        id: unique('call'),
        queue: 'default',
        namespace,
        function: fn,
        method: 'POST',
        path: '/',
        query: '',
        headers: [
          ['content-type', 'text/plain; charset=utf-8'],
          ['x-call-id', 'x'],
        ],
        body: '4pyT',
        callbackUrl: 'https://hooks.example/done',
        enqueuedAt: Date.now(),
      })

      it('adds, reads, replaces (keeping the creation time) and deletes', async () => {
        const r = record(unique('ns'), 'fn')
        await store.addDeadLetter({ record: r, lastStatus: 500, lastError: 'boom ✗', attempts: 3 })
        const added = await store.getDeadLetter(r.id)
        expect(added).toEqual({
          id: r.id,
          namespace: r.namespace,
          function: 'fn',
          record: r,
          lastStatus: 500,
          lastError: 'boom ✗',
          attempts: 3,
          createdAt: expect.any(Date),
        })

        // At-least-once: a redelivered call may be dead-lettered twice.
        await store.addDeadLetter({ record: r, lastStatus: null, lastError: 'timeout', attempts: 4 })
        expect(await store.getDeadLetter(r.id)).toEqual({
          ...added,
          lastStatus: null,
          lastError: 'timeout',
          attempts: 4,
        })

        expect(await store.deleteDeadLetter(r.id)).toBe(true)
        expect(await store.deleteDeadLetter(r.id)).toBe(false)
        expect(await store.getDeadLetter(r.id)).toBeNull()
      })

      it('lists newest first in pages, filtered by namespace and function', async () => {
        const ns = unique('ns')
        const records = [
          record(ns, 'a'),
          record(ns, 'b'),
          record(ns, 'a'),
          record(ns, 'a'),
          record(ns, 'b'),
          record(unique('ns'), 'a'),
        ]
        for (const r of records) {
          await store.addDeadLetter({ record: r, lastStatus: 503, lastError: null, attempts: 1 })
        }
        const stored = await Promise.all(records.slice(0, 5).map((r) => store.getDeadLetter(r.id)))
        const newestFirst = stored
          .map((d) => d!)
          .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))

        const all: string[] = []
        let after: string | undefined
        const sizes: number[] = []
        for (let page = 0; page < 10; page++) {
          const result = await store.listDeadLetters({ namespace: ns, limit: 2, ...(after ? { after } : {}) })
          sizes.push(result.items.length)
          all.push(...result.items.map((d) => d.id))
          if (!result.next) break
          after = result.next
        }
        expect(sizes).toEqual([2, 2, 1])
        expect(all).toEqual(newestFirst.map((d) => d.id))

        const onlyA = await store.listDeadLetters({ namespace: ns, function: 'a', limit: 10 })
        expect(onlyA.next).toBeNull()
        expect(onlyA.items.map((d) => d.id)).toEqual(
          newestFirst.filter((d) => d.function === 'a').map((d) => d.id),
        )
        expect(onlyA.items[0]).toEqual(newestFirst.find((d) => d.function === 'a'))

        const exact = await store.listDeadLetters({ namespace: ns, function: 'b', limit: 2 })
        expect(exact.items).toHaveLength(2)
        expect(exact.next).toBeNull()

        const unfiltered = await store.listDeadLetters({ limit: 1 })
        expect(unfiltered.items).toHaveLength(1)
        expect(unfiltered.next).not.toBeNull()
      })

      it('keeps a cursor valid after its own item is deleted, and refuses a made-up one', async () => {
        const ns = unique('ns')
        const records = [record(ns, 'f'), record(ns, 'f'), record(ns, 'f')]
        for (const r of records) {
          await store.addDeadLetter({ record: r, lastStatus: 500, lastError: null, attempts: 1 })
        }
        const first = await store.listDeadLetters({ namespace: ns, limit: 1 })
        const rest = await store.listDeadLetters({ namespace: ns, limit: 10, after: first.next! })
        await store.deleteDeadLetter(first.items[0]!.id)
        const again = await store.listDeadLetters({ namespace: ns, limit: 10, after: first.next! })
        expect(again.items.map((d) => d.id)).toEqual(rest.items.map((d) => d.id))
        expect(again.items).toHaveLength(2)

        await expect(store.listDeadLetters({ limit: 1, after: 'not-a-cursor' })).rejects.toMatchObject({
          name: 'InvalidCursorError',
        })
      })
    })

    describe('api tokens', () => {
      const token = (over: Record<string, unknown> = {}) => ({
        id: unique('tok'),
        name: 'ci',
        secretHash: 'ab'.repeat(32),
        scopes: ['deploy', 'read'],
        namespaces: ['team-a'],
        functions: null,
        createdAt: new Date(1_700_000_000_123),
        expiresAt: new Date(1_800_000_000_000),
        revokedAt: null,
        ...over,
      })

      it('keeps a token as created and refuses a second one with the same id', async () => {
        const created = token({ functions: ['echo.team-a'] })
        expect(await store.createApiToken(created)).toBe(true)
        expect(await store.createApiToken({ ...created, name: 'other' })).toBe(false)
        expect(await store.getApiToken(created.id)).toEqual(created)
        expect(await store.getApiToken(unique('tok'))).toBeNull()
        expect((await store.listApiTokens()).some((t) => t.id === created.id)).toBe(true)
      })

      it('revokes once', async () => {
        const created = token({ expiresAt: null })
        await store.createApiToken(created)
        const at = new Date(1_750_000_000_000)
        expect(await store.revokeApiToken(created.id, at)).toBe(true)
        expect(await store.revokeApiToken(created.id, new Date())).toBe(false)
        expect(await store.revokeApiToken(unique('tok'), at)).toBe(false)
        expect((await store.getApiToken(created.id))?.revokedAt).toEqual(at)
      })
    })

    describe('audit log', () => {
      it('pages newest first without skipping or repeating, and prunes by age', async () => {
        const actor = unique('actor')
        const base = Date.now() + 1_000_000_000
        for (let i = 0; i < 5; i++) {
          await store.addAuditEntry({
            id: `${base + (i < 2 ? 0 : i)}-${actor}-${i}`,
            at: new Date(base + (i < 2 ? 0 : i)),
            actor,
            action: 'POST /system/functions',
            target: `function ns/f${i}`,
            source: '127.0.0.1',
            status: 202,
          })
        }
        const seen: string[] = []
        let after: string | undefined
        for (;;) {
          const page = await store.listAuditEntries({ limit: 2, ...(after ? { after } : {}) })
          seen.push(...page.items.filter((e) => e.actor === actor).map((e) => e.target))
          if (!page.next || seen.length === 5) break
          after = page.next
        }
        expect(seen).toEqual([
          'function ns/f4',
          'function ns/f3',
          'function ns/f2',
          'function ns/f1',
          'function ns/f0',
        ])
        expect(await store.pruneAuditEntries(new Date(base + 3))).toBeGreaterThanOrEqual(3)
        const left = (await store.listAuditEntries({ limit: 100 })).items.filter((e) => e.actor === actor)
        expect(left.map((e) => e.target)).toEqual(['function ns/f4', 'function ns/f3'])
        await store.pruneAuditEntries(new Date(base + 10))
      })
    })

    describe('rate limits', () => {
      it('allows the burst, refuses the next call, and allows again one interval later', async () => {
        const key = unique('rl')
        const step = { key, intervalMicros: 100_000, capacityMicros: 300_000 }
        const now = 1_000_000_000_000
        const verdicts = []
        for (let i = 0; i < 4; i++) verdicts.push(await store.takeRateLimit({ ...step, nowMicros: now }))
        expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false])
        expect(verdicts[3]?.tatMicros).toBe(now + 300_000)
        expect((await store.takeRateLimit({ ...step, nowMicros: now + 100_000 })).allowed).toBe(true)
        expect((await store.takeRateLimit({ ...step, nowMicros: now + 100_000 })).allowed).toBe(false)
      })

      it('never lets concurrent callers take more than the burst', async () => {
        const key = unique('rl')
        const now = 2_000_000_000_000
        const verdicts = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.takeRateLimit({
              key,
              nowMicros: now,
              intervalMicros: 1_000_000,
              capacityMicros: 5_000_000,
            }),
          ),
        )
        expect(verdicts.filter((v) => v.allowed)).toHaveLength(5)
      })

      it('prunes state whose time has passed', async () => {
        const key = unique('rl')
        await store.takeRateLimit({ key, nowMicros: 10, intervalMicros: 10, capacityMicros: 10 })
        expect(await store.pruneRateLimits(1_000)).toBeGreaterThanOrEqual(1)
        // Gone means full allowance again.
        expect(
          (await store.takeRateLimit({ key, nowMicros: 1_000, intervalMicros: 10, capacityMicros: 10 }))
            .allowed,
        ).toBe(true)
      })
    })

    describe('payloads', () => {
      it('puts, replaces, reads and deletes', async () => {
        const id = unique('payload')
        expect(await store.getPayload(id)).toBeNull()
        await store.putPayload(id, 'AAEC/w==')
        expect(await store.getPayload(id)).toBe('AAEC/w==')
        await store.putPayload(id, '')
        expect(await store.getPayload(id)).toBe('')
        expect(await store.deletePayload(id)).toBe(true)
        expect(await store.deletePayload(id)).toBe(false)
        expect(await store.getPayload(id)).toBeNull()
      })

      it('holds a large body', async () => {
        const id = unique('payload')
        const body = 'QUJD'.repeat(300_000)
        await store.putPayload(id, body)
        expect(await store.getPayload(id)).toBe(body)
        await store.deletePayload(id)
      })

      it('deletes payloads stored before a cutoff', async () => {
        const old = unique('payload')
        await store.putPayload(old, 'b2xk')
        await clockPast(Date.now())
        const cutoff = new Date()
        await clockPast(cutoff.getTime())
        const fresh = unique('payload')
        await store.putPayload(fresh, 'bmV3')
        expect(await store.deletePayloadsBefore(cutoff)).toBeGreaterThanOrEqual(1)
        expect(await store.getPayload(old)).toBeNull()
        expect(await store.getPayload(fresh)).toBe('bmV3')
        await store.deletePayload(fresh)
      })
    })

    describe('queue ledger', () => {
      it('counts a message per queue from add until remove, once per id', async () => {
        const [q1, q2] = [unique('ledger'), unique('ledger')]
        const [a, b] = [unique('msg'), unique('msg')]
        expect(await store.ledgerDepth(q1)).toBe(0)
        expect(await store.ledgerAdd(a, q1, new Date())).toBe(true)
        expect(await store.ledgerAdd(a, q1, new Date())).toBe(false)
        expect(await store.ledgerAdd(b, q2, new Date())).toBe(true)
        expect(await store.ledgerDepth(q1)).toBe(1)
        expect(await store.ledgerDepth(q2)).toBe(1)
        expect(await store.ledgerRemove(a)).toBe(true)
        expect(await store.ledgerRemove(a)).toBe(false)
        expect(await store.ledgerDepth(q1)).toBe(0)
        await store.ledgerRemove(b)
      })
    })

    describe('versions', () => {
      it('starts at 0 and gives concurrent bumps distinct numbers', async () => {
        const name = unique('version')
        expect(await store.readVersion(name)).toBe(0)
        const bumped = await Promise.all(Array.from({ length: 5 }, () => store.bumpVersion(name, new Date())))
        expect([...bumped].sort()).toEqual([1, 2, 3, 4, 5])
        expect(await store.readVersion(name)).toBe(5)
      })
    })

    describe('loop state', () => {
      it('keeps a cursor and the end of the last pass, per loop', async () => {
        const name = unique('loop')
        expect(await store.getLoopState(name)).toEqual({ cursor: null, passDoneAt: null })
        await store.saveLoopState(name, { cursor: 'fn-0042', passDoneAt: null }, new Date())
        expect(await store.getLoopState(name)).toEqual({ cursor: 'fn-0042', passDoneAt: null })
        const done = new Date(Math.floor(Date.now() / 1000) * 1000)
        await store.saveLoopState(name, { cursor: null, passDoneAt: done }, new Date())
        expect(await store.getLoopState(name)).toEqual({ cursor: null, passDoneAt: done })
        expect(await store.getLoopState(unique('loop'))).toEqual({ cursor: null, passDoneAt: null })
      })
    })
  })
}
