/**
 * @module
 * Local provider process lifecycle: replicas are real process groups; re-applying an unchanged spec
 * restarts nothing, a changed one replaces them; scale to zero, remove and close() leave none behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalProvider } from '../../providers/local/index.ts'
import { expectProviderError, functionRequest, waitFor } from '../conformance/provider.suite.ts'
import {
  classicFunction,
  deployReady,
  groupAlive,
  httpFunction,
  localProvider,
  namespace,
  removeDataDirs,
  replicaPids,
} from './local-helpers.ts'

let provider: LocalProvider

beforeAll(() => {
  provider = localProvider('none')
})
afterAll(async () => {
  await provider.close()
  removeDataDirs()
})

const allGone = (pids: number[]) =>
  waitFor(
    'process groups gone',
    async () => pids.filter(groupAlive),
    (a) => a.length === 0,
  )

describe('local provider: processes', () => {
  it('runs each replica as its own live process; re-applying the same spec restarts nothing', async () => {
    const desired = await deployReady(provider, classicFunction(2))
    const live = await replicaPids(provider, desired)
    expect(new Set(live).size).toBe(2)
    for (const pid of live) expect(() => process.kill(pid, 0)).not.toThrow()
    const before = (await provider.instances(namespace, desired.name)).map((i) => i.id)
    await provider.apply({ ...desired, generation: 2 })
    expect((await provider.instances(namespace, desired.name)).map((i) => i.id)).toEqual(before)
    await provider.apply({ ...desired, generation: 3, spec: { ...desired.spec, envVars: { changed: '1' } } })
    const replaced = (now: number[]) => now.length === 2 && now.every((pid) => !live.includes(pid))
    await waitFor('replicas replaced', () => replicaPids(provider, desired), replaced)
    await allGone(live)
  })

  it('stops every process on scale to zero, and on remove', async () => {
    const desired = await deployReady(provider, classicFunction(2))
    const first = await replicaPids(provider, desired)
    await provider.scale(namespace, desired.name, 0)
    expect(await provider.status(namespace, desired.name)).toEqual({ replicas: 0, availableReplicas: 0 })
    const call = provider.invoke(namespace, desired.name, '/', functionRequest(desired.name, '/'))
    await expectProviderError(call, 'NOT_READY')
    await allGone(first)
    await provider.scale(namespace, desired.name, 1)
    await waitFor(
      'back to 1',
      () => provider.status(namespace, desired.name),
      (s) => s?.availableReplicas === 1,
    )
    const second = await replicaPids(provider, desired)
    await provider.remove(namespace, desired.name)
    expect(second.filter(groupAlive)).toEqual([])
  })

  it('leaves no process behind after close()', async () => {
    const own = localProvider('none')
    const a = await deployReady(own, classicFunction(2))
    const b = await deployReady(own, httpFunction())
    const all = [...(await replicaPids(own, a)), ...(await replicaPids(own, b))]
    expect(all).toHaveLength(3)
    await own.close()
    expect(all.filter(groupAlive)).toEqual([])
    await expectProviderError(own.apply(classicFunction()), 'UNAVAILABLE')
  })

  it('refuses a spec without a process, and a secret without a value', async () => {
    await expectProviderError(
      provider.apply({ ...classicFunction(), spec: { image: 'functions/alpine' } }),
      'INVALID',
    )
    const missing = classicFunction()
    missing.spec = { ...missing.spec, secrets: ['absent'] }
    await expectProviderError(provider.apply(missing), 'INVALID')
    expect(await provider.status(namespace, missing.name)).toBeNull()
  })
})
