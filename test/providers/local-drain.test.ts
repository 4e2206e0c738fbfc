/**
 * @module
 * Scale-down and updates drop no call: a replica leaving service first stops taking calls, finishes the
 * ones it has, then stops; an update starts the new replicas and waits for them before retiring the old.
 * Through a real gateway, with steady concurrent load while the API scales to zero or rolls an update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { type GatewayApi, gatewayApi } from './gateway-api.ts'
import { groupAlive } from './local-helpers.ts'

const CONCURRENCY = 12
const CALLS = 200
/** A cap on calls, so a condition that never comes fails the test instead of running on. */
const MAX_CALLS = 5_000

/** A classic-mode function that takes ~70 ms and answers the value of its `release` env var. */
const slowEcho = shellCommand('slow-echo.sh')

interface LoadResult {
  calls: number
  failures: string[]
  bodies: Map<string, number>
}

/**
 * Calls `name` with `CONCURRENCY` callers until at least `CALLS` calls are done and `until()` holds;
 * `during()` runs once, after the first `CALLS / 10` calls.
 */
async function load(
  g: TestGateway,
  name: string,
  during: () => Promise<void>,
  until: () => boolean,
): Promise<LoadResult> {
  const result: LoadResult = { calls: 0, failures: [], bodies: new Map() }
  let action: Promise<void> | undefined
  let actionDone = false
  const finished = () => result.calls >= MAX_CALLS || (result.calls >= CALLS && actionDone && until())
  async function caller(): Promise<void> {
    while (!finished()) {
      const res = await fetch(`${g.url}/function/${name}`, { method: 'POST', body: 'x' }).catch(
        (error: unknown) => ({ status: 0, text: async () => String(error) }),
      )
      const body = await res.text()
      result.calls++
      if (res.status === 200) result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1)
      else result.failures.push(`${res.status} ${body}`)
      if (!action && result.calls >= CALLS / 10) {
        action = during().then(() => {
          actionDone = true
        })
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, caller))
  await action
  return result
}

async function replicaPids(g: TestGateway, name: string): Promise<number[]> {
  const instances = (await g.deps.providers.get('local')?.instances('openfaas-fn', name)) ?? []
  return instances.flatMap((i) => (i.pid === undefined ? [] : [i.pid]))
}

describe('local provider: draining', () => {
  let g: TestGateway
  let api: GatewayApi
  beforeAll(async () => {
    g = await startTestGateway({ EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: '20000' })
    api = gatewayApi(g)
  })
  afterAll(() => g.close())

  it(`${CALLS} calls while the function scales to zero: none fails`, async () => {
    const name = 'drain-to-zero'
    await api.deploy({
      service: name,
      image: 'x',
      envProcess: slowEcho,
      envVars: { release: 'v1' },
      // At most one replica: the default CE-style autoscaling would otherwise add one under this load
      // whenever its tick falls inside the test (a slow machine), and the count below checks scale from zero.
      labels: { 'com.openfaas.scale.max': '1' },
    })
    await api.waitAvailable(name)
    // Calls in flight at the scale finish on the draining replica; calls arriving after it are held and
    // served by scale from zero (which may take the draining replica back instead of starting one).
    const result = await load(
      g,
      name,
      () => api.scale(name, 0),
      () => true,
    )
    expect(result.failures).toEqual([])
    expect([...result.bodies.keys()]).toEqual(['v1'])
    // Scale from zero set the function back to one replica: calls did arrive while it was at zero.
    expect(await api.replicas(name)).toBe(1)
  })

  it(`${CALLS} calls during a rolling update of 2 replicas: none fails, then the new version serves`, async () => {
    const name = 'drain-rolling'
    const spec = {
      service: name,
      image: 'x',
      envProcess: slowEcho,
      // Two replicas throughout: the default CE-style autoscaling would add a third under this load.
      labels: { 'com.openfaas.scale.min': '2', 'com.openfaas.scale.max': '2' },
    }
    await api.deploy({ ...spec, envVars: { release: 'v1' } })
    await api.waitAvailable(name, 2)
    const before = await replicaPids(g, name)
    expect(before).toHaveLength(2)
    let updated = false
    const result = await load(
      g,
      name,
      async () => {
        await api.update({ ...spec, envVars: { release: 'v2' } })
        updated = true
      },
      () => updated && before.every((pid) => !groupAlive(pid)),
    )
    expect(result.failures).toEqual([])
    expect(result.calls).toBeLessThan(MAX_CALLS)
    expect(result.bodies.get('v1')).toBeGreaterThan(0)
    const after = await fetch(`${g.url}/function/${name}`, { method: 'POST', body: 'x' })
    expect(await after.text()).toBe('v2')
    expect(await replicaPids(g, name)).toHaveLength(2)
  })
})
