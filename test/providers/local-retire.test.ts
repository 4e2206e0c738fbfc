/**
 * @module
 * Retiring replicas at the provider level: a replica taken out of service by a scale-down first finishes
 * the calls it has, streamed responses included, for at most the function's timeout; remove() and
 * close() do not wait, and leave no process of a running call behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
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
import { markedSleep, processesMatching } from './process-table.ts'

let provider: LocalProvider

beforeAll(() => {
  provider = localProvider('none')
})
afterAll(async () => {
  await provider.close()
  removeDataDirs()
})

function invoke(target: LocalProvider, desired: DesiredFunction, path = '/'): Promise<Response> {
  return target.invoke(namespace, desired.name, path, functionRequest(desired.name, path))
}

const gone = (what: string, live: () => number[], timeoutMs?: number) =>
  waitFor(
    what,
    async () => live(),
    (pids) => pids.length === 0,
    timeoutMs,
  )

describe('local provider: retiring replicas', () => {
  it('a scale to zero lets the calls in flight finish, then stops the replica', async () => {
    const sleep = markedSleep('0.9')
    const desired = await deployReady(provider, classicFunction(1, `sleep ${sleep}`))
    const [pid] = await replicaPids(provider, desired)
    const calls = Array.from({ length: 5 }, () => invoke(provider, desired))
    await waitFor(
      '5 calls running',
      async () => processesMatching(sleep).length,
      (n) => n === 5,
    )
    await provider.scale(namespace, desired.name, 0)
    // Out of service at once: new calls are not sent to the draining replica.
    expect(await provider.status(namespace, desired.name)).toEqual({ replicas: 0, availableReplicas: 0 })
    await expectProviderError(invoke(provider, desired), 'NOT_READY')
    const responses = await Promise.all(calls.map(async (call) => (await call).status))
    expect(responses).toEqual([200, 200, 200, 200, 200])
    await gone('the drained replica', () => [pid ?? 0].filter(groupAlive))
  })

  it('a streamed response keeps its replica until the stream ends', async () => {
    const desired = await deployReady(provider, httpFunction())
    const [pid] = await replicaPids(provider, desired)
    const response = await invoke(provider, desired, '/sse?ms=1500')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n')
    await provider.scale(namespace, desired.name, 0)
    let rest = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      rest += new TextDecoder().decode(value)
    }
    expect(rest).toBe('data: last\n\n')
    await gone('the drained replica', () => [pid ?? 0].filter(groupAlive))
  })

  it("waits for a call no longer than the function's timeout", async () => {
    const sleep = markedSleep()
    const desired = classicFunction(1, `sleep ${sleep}`)
    // The watchdog's own limit is off: only the drain bound ends this call.
    desired.spec = {
      ...desired.spec,
      envVars: { exec_timeout: '0' },
      annotations: { 'edgefaas.dev/timeout': '1s' },
    }
    await deployReady(provider, desired)
    const [pid] = await replicaPids(provider, desired)
    const call = invoke(provider, desired).then(
      (r) => r.status,
      () => 'failed',
    )
    await waitFor(
      'the call running',
      async () => processesMatching(sleep).length,
      (n) => n === 1,
    )
    const started = Date.now()
    await provider.scale(namespace, desired.name, 0)
    await gone('the replica', () => [pid ?? 0].filter(groupAlive), 10_000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(await call).not.toBe(200)
    expect(processesMatching(sleep)).toEqual([])
  })

  it('close() does not wait for calls, and leaves none of their processes behind', async () => {
    const own = localProvider('none')
    const sleep = markedSleep()
    const desired = await deployReady(own, classicFunction(2, `sleep ${sleep}`))
    const calls = Array.from({ length: 4 }, () => invoke(own, desired).catch(() => null))
    await waitFor(
      '4 calls running',
      async () => processesMatching(sleep).length,
      (n) => n === 4,
    )
    const started = Date.now()
    await own.close()
    expect(Date.now() - started).toBeLessThan(5_000)
    await Promise.all(calls)
    await gone('the calls’ processes', () => processesMatching(sleep), 3_000)
  })
})
