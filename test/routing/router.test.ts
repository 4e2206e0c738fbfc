/**
 * The router on a virtual clock: traffic shares over 10,000 simulated calls (sequential and 16 at a
 * time), a slow backend avoided, panic mode, not-ready marks, active probes, and the weights taken from
 * the annotation of each function record.
 */
import { describe, expect, it } from 'vitest'
import type { Provider } from '../../providers/types.ts'
import { staticRegistry } from '../../src/routing/registry.ts'
import { type BackendRouter, createBackendRouter } from '../../src/routing/router.ts'
import type { FunctionRecord } from '../../src/store/types.ts'
import { seededRandom } from './seeded-random.ts'

function fn(backends: string, placement = backends.split(',').map((p) => p.split('=')[0]!)): FunctionRecord {
  return {
    namespace: 'openfaas-fn',
    name: 'f',
    spec: { image: 'x', labels: {}, annotations: { 'edgefaas.dev/backends': backends } },
    replicas: 1,
    placement,
    generation: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }
}

/** A provider whose only working part is `info()` (the probe), answering as `up()` says. */
function provider(up: () => boolean = () => true): Provider {
  return {
    info: async () => {
      if (!up()) throw new Error('connect ECONNREFUSED')
      return { provider: 'x', orchestration: 'x', version: { release: '1', sha: '1' } }
    },
  } as Partial<Provider> as Provider
}

function setup(names: string[], seed = 1, up: Record<string, () => boolean> = {}) {
  const clock = { t: 1_000_000 }
  const router = createBackendRouter({
    providers: staticRegistry(Object.fromEntries(names.map((n) => [n, provider(up[n])]))),
    now: () => clock.t,
    random: seededRandom(seed),
  })
  return { clock, router }
}

/** Sequential calls: each takes `latencyMs(backend)` of virtual time. */
function runSequential(
  router: BackendRouter,
  clock: { t: number },
  record: FunctionRecord,
  calls: number,
  latencyMs: (backend: string, i: number) => number,
): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < calls; i++) {
    const attempt = router.choose(record)!
    counts.set(attempt.backend, (counts.get(attempt.backend) ?? 0) + 1)
    clock.t += latencyMs(attempt.backend, i)
    router.finish(attempt, { kind: 'answered', status: 200 })
    clock.t += 1
  }
  return counts
}

describe('router: traffic shares', () => {
  it('80/20 gives 80±3% over 10,000 sequential calls when both backends are equally fast', () => {
    const { clock, router } = setup(['a', 'b'])
    const jitter = seededRandom(99)
    const counts = runSequential(router, clock, fn('a=80,b=20'), 10_000, () => 2 + jitter() * 2)
    const share = (counts.get('a') ?? 0) / 10_000
    expect(share).toBeGreaterThan(0.77)
    expect(share).toBeLessThan(0.83)
  })

  it('80/20 holds with 16 calls in flight at a time (in-flight counts do not pull it to 50/50)', () => {
    const { clock, router } = setup(['a', 'b'], 3)
    const record = fn('a=80,b=20')
    const jitter = seededRandom(5)
    // A discrete-event simulation: 16 callers, each starting its next call when the last one ends.
    const pending: Array<{ at: number; attempt: NonNullable<ReturnType<BackendRouter['choose']>> }> = []
    const counts = new Map<string, number>()
    const start = () => {
      const attempt = router.choose(record)!
      counts.set(attempt.backend, (counts.get(attempt.backend) ?? 0) + 1)
      pending.push({ at: clock.t + 2 + jitter() * 3, attempt })
    }
    for (let i = 0; i < 16; i++) start()
    for (let done = 0; done < 10_000; done++) {
      pending.sort((x, y) => x.at - y.at)
      const next = pending.shift()!
      clock.t = next.at
      router.finish(next.attempt, { kind: 'answered', status: 200 })
      start()
    }
    const total = [...counts.values()].reduce((x, y) => x + y, 0)
    const share = (counts.get('a') ?? 0) / total
    expect(share).toBeGreaterThan(0.77)
    expect(share).toBeLessThan(0.83)
  })

  it('a backend 200 ms slower receives clearly less traffic than its weight', () => {
    const { clock, router } = setup(['a', 'b'])
    const counts = runSequential(router, clock, fn('a=50,b=50'), 2_000, (b) => (b === 'b' ? 202 : 2))
    const share = (counts.get('b') ?? 0) / 2_000
    // Not zero: its estimate decays while it is avoided, so it is tried again now and then.
    expect(share).toBeGreaterThan(0)
    expect(share).toBeLessThan(0.1)
  })

  it('a backend whose calls stall loses traffic before any of them ends', () => {
    const { clock, router } = setup(['a', 'b'])
    const record = fn('a=50,b=50')
    // Warm both up.
    runSequential(router, clock, record, 100, () => 2)
    const stalled = []
    let toB = 0
    for (let i = 0; i < 1000; i++) {
      const attempt = router.choose(record)!
      clock.t += 1
      if (attempt.backend === 'b') {
        toB++
        stalled.push(attempt) // never answers
      } else router.finish(attempt, { kind: 'answered', status: 200 })
    }
    expect(toB).toBeLessThan(100)
    expect(stalled.length).toBe(toB)
  })

  it('reads weights per function record: a backend the annotation does not weigh gets 100', () => {
    const { clock, router } = setup(['a', 'b', 'c'])
    // Placement resolved by a label selector: the annotation holds no weights.
    const counts = runSequential(router, clock, fn('region=eu', ['a', 'b', 'c']), 9_000, () => 2)
    for (const b of ['a', 'b', 'c']) expect((counts.get(b) ?? 0) / 9_000).toBeCloseTo(1 / 3, 1)
  })
})

describe('router: health', () => {
  const refused = { kind: 'failed', code: 'unreachable', error: 'ECONNREFUSED' } as const

  it('ejects a failing backend and routes around it; with all ejected it uses them anyway (panic)', () => {
    const { clock, router } = setup(['a', 'b'])
    const record = fn('a=50,b=50')
    for (let i = 0; i < 3; i++) {
      const attempt = router.choose(record, ['a'])!
      router.finish(attempt, refused)
    }
    expect(router.health().get('b')?.state).toBe('ejected')
    for (let i = 0; i < 50; i++) {
      const attempt = router.choose(record)!
      expect(attempt.backend).toBe('a')
      router.finish(attempt, { kind: 'answered', status: 200 })
    }
    for (let i = 0; i < 3; i++) router.finish(router.choose(record, ['b'])!, refused)
    expect(router.health().get('a')?.state).toBe('ejected')
    const panic = router.choose(record)
    expect(panic?.kind).toBe('panic')
    clock.t += 1
  })

  it('never leaves a single placement without a backend', () => {
    const { router } = setup(['a'])
    const record = fn('a')
    for (let i = 0; i < 5; i++) router.finish(router.choose(record)!, refused)
    expect(router.health().get('a')?.state).toBe('ejected')
    expect(router.choose(record)?.backend).toBe('a')
  })

  it('passes over a backend that said not ready, for a while, while another is ready', () => {
    const { clock, router } = setup(['a', 'b'])
    const record = fn('a=50,b=50')
    router.finish(router.choose(record, ['a'])!, { kind: 'unready', code: 'not_ready' })
    for (let i = 0; i < 50; i++) {
      const attempt = router.choose(record)!
      expect(attempt.backend).toBe('a')
      router.finish(attempt, { kind: 'answered', status: 200 })
    }
    clock.t += 1001
    const seen = new Set<string>()
    for (let i = 0; i < 50; i++) {
      const attempt = router.choose(record)!
      seen.add(attempt.backend)
      router.finish(attempt, { kind: 'answered', status: 200 })
    }
    expect(seen).toEqual(new Set(['a', 'b']))
  })

  it('probes an ejected backend on probe(): failures keep it out, the first pass lets a trial in', async () => {
    let bUp = false
    const { clock, router } = setup(['a', 'b'], 1, { b: () => bUp })
    const record = fn('a=50,b=50')
    for (let i = 0; i < 3; i++) router.finish(router.choose(record, ['a'])!, refused)
    await router.probe()
    expect(router.health().get('b')?.lastError).toMatch(/probe failed: connect ECONNREFUSED/)
    clock.t += 1500 // past the first back-off, but the failed probe extended it
    expect(router.choose(record, ['a'])?.kind).toBe('panic')
    bUp = true
    await router.probe() // within the probe interval: not probed again
    expect(router.health().get('b')?.state).toBe('ejected')
    clock.t += 1000
    await router.probe()
    const trial = router.choose(record, ['a'])!
    expect(trial.kind).toBe('trial')
    router.finish(trial, { kind: 'answered', status: 200 })
    expect(router.health().get('b')?.state).toBe('healthy')
  })
})

describe('router: load', () => {
  it('sums the calls out per backend over functions, and they come back to 0 when answered', () => {
    const { clock, router } = setup(['a', 'b'])
    const one = fn('a=50,b=50')
    const two = { ...fn('a'), name: 'g' }
    runSequential(router, clock, one, 20, () => 40)
    const out = [router.choose(two)!, router.choose(two)!, router.choose(one)!]
    const load = router.load()
    const onA = out.filter((o) => o.backend === 'a').length
    expect(load.get('a')).toMatchObject({ inflight: onA, functions: 2 })
    expect(load.get('b')?.inflight ?? 0).toBe(3 - onA)
    expect(load.get('a')!.peakCostMs).toBeGreaterThan(0)
    for (const attempt of out) router.finish(attempt, { kind: 'answered', status: 200 })
    expect(router.load().get('a')?.inflight).toBe(0)
  })
})

describe('router: retry budget', () => {
  it('allows resends up to about 20% of first attempts', () => {
    const { clock, router } = setup(['a', 'b'])
    let allowed = 0
    for (let i = 0; i < 5000; i++) {
      router.firstAttempt()
      if (router.allowResend()) allowed++
      clock.t += 1
    }
    expect(allowed).toBeGreaterThanOrEqual(1000)
    // 20% of 5,000, plus the reserve (10/s over the budget's 10 s window: the 5 s run is inside one).
    expect(allowed).toBeLessThanOrEqual(1000 + 100)
  })
})
