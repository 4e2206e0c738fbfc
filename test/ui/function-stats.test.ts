/**
 * The dashboard's per-function time series (src/ui/stats/function-stats.ts) on a fake clock: slots,
 * the 5xx ratio and p95 over a window, the ring's bound, functions forgotten after the ring's span, and
 * the health verdict built on it (src/ui/function-view.ts).
 */
import { describe, expect, it } from 'vitest'
import type { FunctionRecord } from '../../src/store/types.ts'
import { viewFunction } from '../../src/ui/function-view.ts'
import { createFunctionStats } from '../../src/ui/stats/function-stats.ts'

function clock(start = 1_000_000_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

const fn: FunctionRecord = {
  namespace: 'ns',
  name: 'f',
  spec: { image: 'x' },
  replicas: 1,
  placement: ['local'],
  generation: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
}
const ready = [
  {
    namespace: 'ns',
    functionName: 'f',
    backend: 'local',
    status: 'ready' as const,
    appliedGeneration: 1,
    observedReplicas: 1,
    availableReplicas: 1,
    lastError: null,
    attempts: 0,
    nextAttemptAt: null,
    updatedAt: new Date(0),
  },
]

describe('function stats', () => {
  it('counts calls and 5xx per slot and reports rate, ratio and an upper-bound p95 over the window', () => {
    const t = clock()
    const stats = createFunctionStats({ now: t.now })
    for (let i = 0; i < 95; i++) stats.finished('f.ns', 200, 0.01)
    for (let i = 0; i < 5; i++) stats.finished('f.ns', 503, 2)
    t.advance(5000)
    for (let i = 0; i < 100; i++) stats.finished('f.ns', 200, 0.01)
    const s = stats.summary('f.ns', 60_000)
    expect(s.calls).toBe(200)
    expect(s.errors).toBe(5)
    expect(s.errorRatio).toBeCloseTo(0.025)
    expect(s.rps).toBeCloseTo(200 / 60)
    // 10 ms falls in the bin up to 0.5·1.5^7 ≈ 8.5 … 0.5·1.5^8 ≈ 12.8 ms: reported as its upper bound.
    expect(s.p95Ms).toBeGreaterThanOrEqual(10)
    expect(s.p95Ms).toBeLessThan(15)
    expect(s.lastErrorCode).toBe(503)
    expect(s.lastCallFailed).toBe(false)
    const series = stats.series('f.ns')
    expect(series.t).toHaveLength(72)
    expect(series.calls.slice(-2)).toEqual([100, 100])
    expect(series.errors.slice(-2)).toEqual([5, 0])
    expect(series.t[71] ?? 0).toBe(Math.floor(t.now() / 5000) * 5)
  })

  it('keeps at most the ring of slots and forgets a function silent for longer than it', () => {
    const t = clock()
    const stats = createFunctionStats({ now: t.now, slots: 10, slotMs: 1000 })
    for (let i = 0; i < 50; i++) {
      stats.finished('busy.ns', 200, 0.001)
      t.advance(1000)
    }
    expect(stats.series('busy.ns').calls.reduce((a, b) => a + b, 0)).toBe(9)
    stats.finished('old.ns', 200, 0.001)
    t.advance(11_000)
    stats.finished('busy.ns', 200, 0.001) // any write sweeps
    expect(stats.size()).toBe(1)
    expect(stats.summary('old.ns', 60_000).calls).toBe(0)
  })

  it('makes a function that answers 500 to every call look failing, and a quiet one healthy', () => {
    const t = clock()
    const stats = createFunctionStats({ now: t.now })
    expect(viewFunction(fn, ready, stats).health).toEqual({ kind: 'ok', label: 'healthy' })
    for (let i = 0; i < 3; i++) stats.finished('f.ns', 500, 0.001)
    const failing = viewFunction(fn, ready, stats)
    expect(failing.health.kind).toBe('bad')
    expect(failing.lastError).toMatch(/^HTTP 500 at /)
    // Past the 5-minute window the ratio has no calls, but the last call still failed.
    t.advance(5.5 * 60_000)
    expect(viewFunction(fn, ready, stats).health).toEqual({ kind: 'warn', label: 'last call failed' })
    stats.finished('f.ns', 200, 0.001)
    expect(viewFunction(fn, ready, stats).health.kind).toBe('ok')
    expect(viewFunction({ ...fn, replicas: 0 }, ready, null).health.label).toBe('scaled to zero')
    expect(
      viewFunction(fn, [{ ...ready[0], status: 'error', lastError: 'image pull' } as never], null).health,
    ).toEqual({
      kind: 'bad',
      label: 'deploy failed',
    })
  })
})

describe('replica samples', () => {
  it('allocate a slot only when the replicas change, and carry the value forward on the chart', () => {
    const t = clock()
    const stats = createFunctionStats({ now: t.now, slots: 10, slotMs: 1000 })
    stats.sampleReplicas('f.ns', 2, 1)
    for (let i = 0; i < 5; i++) {
      t.advance(1000)
      stats.sampleReplicas('f.ns', 2, 1)
    }
    expect(stats.slotCount('f.ns')).toBe(1)
    t.advance(1000)
    stats.sampleReplicas('f.ns', 2, 2)
    expect(stats.slotCount('f.ns')).toBe(2)
    const series = stats.series('f.ns')
    expect(series.desired.slice(-7)).toEqual([2, 2, 2, 2, 2, 2, 2])
    expect(series.ready.slice(-7)).toEqual([1, 1, 1, 1, 1, 1, 2])
    expect(series.ready[0]).toBeNull() // before the first sample
    // Long after both samples left the ring, the last known value still draws the line.
    for (let i = 0; i < 30; i++) {
      t.advance(1000)
      stats.sampleReplicas('f.ns', 2, 2)
    }
    expect(stats.slotCount('f.ns')).toBe(2) // no new slot: nothing changed
    expect(stats.series('f.ns').ready).toEqual(Array(10).fill(2))
  })
})
