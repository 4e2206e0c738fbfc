/**
 * The idle clock across a change of autoscaler: gateway A decides, stops (a restart, a crash), and
 * gateway B takes the `autoscale` lease once A's has run out. B must count `zero-duration` from the
 * tick A's clock started, not from an older moment (zero too early) and not from scratch when A had
 * already seen the function idle. Real SQLite store; a load source the test drives; a fake clock.
 */
import { tmpdir } from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Autoscaler, createAutoscaler } from '../../src/autoscale/autoscaler.ts'
import type { LoadSource, SourceLoad } from '../../src/autoscale/source.ts'
import type { GatewayDeps } from '../../src/deps.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'

const TICK = 2000
const ZERO_AFTER = 20_000
const NS = 'openfaas-fn'

let store: Store
let close: () => Promise<void>
let t: number
/** What the source shows for the function at the next read: a call started within the window, or none. */
let active: boolean

const source: LoadSource = {
  kind: 'test',
  async read() {
    const busy: SourceLoad = { rps: 1, okRps: 1, inflight: 0, started: 5, cpu: null }
    return new Map(active ? [[`sleepy.${NS}`, busy]] : [])
  },
}

function gateway(instanceId: string): Autoscaler {
  // Only what a tick touches; the store is real.
  const deps = {
    store,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    config: {
      maxReplicas: 10,
      autoscale: {
        intervalMs: TICK,
        windowMs: 10_000,
        zeroDurationMs: 900_000,
        target: 50,
        targetProportion: 0.9,
        downWindowMs: 0,
        alertRepeatMs: 10_000,
        historySize: 10,
        prometheus: null,
      },
    },
    providers: new Map(),
    routes: { invalidate() {} },
    reconciler: { async reconcileWithin() {} },
    metrics: null,
  } as unknown as GatewayDeps
  return createAutoscaler({ deps, source, builtin: null, instanceId, now: () => t })
}

async function replicas(): Promise<number> {
  return (await store.getFunction(NS, 'sleepy'))?.replicas ?? -1
}

/** Ticks `g` every TICK until the function is at zero; answers when. */
async function tickUntilZero(g: Autoscaler, limit = 120_000): Promise<number> {
  const until = t + limit
  for (; t < until; t += TICK) {
    expect((await g.autoscaleOnce()).leader).toBe(true)
    if ((await replicas()) === 0) return t
  }
  throw new Error('never went to zero')
}

beforeEach(async () => {
  ;({ store, close } = await openStore(':memory:', tmpdir()))
  t = 1_900_000_000_000
  active = true
  await store.createFunction({
    namespace: NS,
    name: 'sleepy',
    placement: ['local'],
    replicas: 1,
    spec: {
      image: 'x',
      envProcess: 'cat',
      envVars: {},
      constraints: [],
      secrets: [],
      labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
      annotations: {},
      limits: null,
      requests: null,
      readOnlyRootFilesystem: false,
    },
  })
})

afterEach(async () => {
  await close()
})

describe('idle clock across a lease hand-over', () => {
  it('B carries on A’s idle clock: zero-duration after the first idle tick A saw, not sooner, not later', async () => {
    const a = gateway('a')
    for (let i = 0; i < 5; i++, t += TICK) await a.autoscaleOnce() // busy
    active = false
    const firstIdle = t
    for (let i = 0; i < 3; i++, t += TICK) await a.autoscaleOnce() // idle: A's clock starts at firstIdle
    // A stops ticking; B gets the lease once A's has expired (15 s), and reads A's clock from the store.
    const b = gateway('b')
    expect((await b.autoscaleOnce()).leader).toBe(false)
    t += 15_000
    const at = await tickUntilZero(b)
    expect(at).toBeGreaterThanOrEqual(firstIdle + ZERO_AFTER)
    expect(at).toBeLessThan(firstIdle + ZERO_AFTER + TICK)
  })

  it('activity after A’s clock started stops it for B too: B does not count from the old idle spell', async () => {
    const a = gateway('a')
    await a.autoscaleOnce()
    t += TICK
    active = false
    for (let i = 0; i < 3; i++, t += TICK) await a.autoscaleOnce() // a first idle spell
    active = true
    for (let i = 0; i < 5; i++, t += TICK) await a.autoscaleOnce() // busy again: the last calls ~ now
    const lastBusyTick = t - TICK
    // A stops here. B takes over after the lease expires and finds the function idle.
    active = false
    t += 15_000
    const at = await tickUntilZero(gateway('b'))
    expect(at - lastBusyTick).toBeGreaterThanOrEqual(ZERO_AFTER)
  })

  it('a gateway restarted under the same name reads its clock back from the store', async () => {
    const before = gateway('a')
    await before.autoscaleOnce()
    t += TICK
    active = false
    const firstIdle = t
    for (let i = 0; i < 4; i++, t += TICK) await before.autoscaleOnce()
    const after = gateway('a') // a new process: nothing in memory
    const at = await tickUntilZero(after)
    expect(at).toBeGreaterThanOrEqual(firstIdle + ZERO_AFTER)
    expect(at).toBeLessThan(firstIdle + ZERO_AFTER + TICK)
  })
})
