/**
 * The scaling policy as a table: labels, replicas and load in, desired replicas out (contract §5.1, §5.2).
 */
import { describe, expect, it } from 'vitest'
import { heaviestShare } from '../../src/autoscale/autoscaler.ts'
import { decide, initialState, type Load, type ScalingState } from '../../src/autoscale/policy.ts'
import { type ScaleDefaults, scalingRule } from '../../src/autoscale/rule.ts'

const defaults: ScaleDefaults = {
  target: 50,
  targetProportion: 0.9,
  zeroDurationMs: 900_000,
  downWindowMs: 0,
  maxReplicas: 100,
}
const options = { alertRepeatMs: 10_000 }
const NOW = 1_000_000

function load(partial: Partial<Load> = {}): Load {
  const l = { rps: 0, okRps: 0, inflight: 0, backlog: 0, cpu: null, ...partial }
  return { active: l.rps > 0 || l.inflight > 0 || l.backlog > 0, ...l }
}

type Row = {
  name: string
  labels: Record<string, string>
  current: number
  ready?: number
  load: Load | null
  state?: Partial<ScalingState>
  want: number
}

const table: Row[] = [
  // contract §5.2's worked example: target 5, load 15 on 1 replica, proportion 1.0 → 3
  {
    name: 'worked example',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.target-proportion': '1',
    },
    current: 1,
    load: load({ rps: 15 }),
    want: 3,
  },
  {
    name: 'rps clamped to max',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.max': '4',
    },
    current: 1,
    load: load({ rps: 20 }),
    want: 4,
  },
  {
    name: 'rps default proportion 0.9: 9/4.5 = 2',
    labels: { 'com.openfaas.scale.type': 'rps', 'com.openfaas.scale.target': '5' },
    current: 1,
    load: load({ rps: 9 }),
    want: 2,
  },
  {
    name: 'rps just over: 9.1/4.5 → 3',
    labels: { 'com.openfaas.scale.type': 'rps', 'com.openfaas.scale.target': '5' },
    current: 1,
    load: load({ rps: 9.1 }),
    want: 3,
  },
  {
    name: 'no load → min',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.min': '2',
      'com.openfaas.scale.target': '5',
    },
    current: 4,
    load: load(),
    want: 2,
  },
  {
    name: 'computed 0 raised to min 1',
    labels: { 'com.openfaas.scale.type': 'rps' },
    current: 3,
    load: load(),
    want: 1,
  },
  {
    name: 'default target 50',
    labels: { 'com.openfaas.scale.type': 'rps' },
    current: 1,
    load: load({ rps: 100 }),
    want: 3,
  },
  {
    name: 'type is case-insensitive',
    labels: {
      'com.openfaas.scale.type': 'RPS',
      'com.openfaas.scale.target': '10',
      'com.openfaas.scale.target-proportion': '1',
    },
    current: 1,
    load: load({ rps: 30 }),
    want: 3,
  },
  {
    name: 'capacity uses in-flight calls',
    labels: {
      'com.openfaas.scale.type': 'capacity',
      'com.openfaas.scale.target': '2',
      'com.openfaas.scale.target-proportion': '1',
    },
    current: 1,
    load: load({ inflight: 7, rps: 1 }),
    want: 4,
  },
  {
    name: 'queue uses the backlog',
    labels: {
      'com.openfaas.scale.type': 'queue',
      'com.openfaas.scale.target': '10',
      'com.openfaas.scale.target-proportion': '1',
      'com.openfaas.scale.max': '8',
    },
    current: 1,
    load: load({ backlog: 500 }),
    want: 8,
  },
  {
    name: 'cpu uses milli-CPU',
    labels: {
      'com.openfaas.scale.type': 'cpu',
      'com.openfaas.scale.target': '500',
      'com.openfaas.scale.target-proportion': '1',
    },
    current: 1,
    load: load({ cpu: 1200 }),
    want: 3,
  },
  {
    name: 'cpu not reported → hold',
    labels: { 'com.openfaas.scale.type': 'cpu' },
    current: 2,
    load: load({ rps: 3 }),
    want: 2,
  },
  {
    name: 'no load figure → hold',
    labels: { 'com.openfaas.scale.type': 'rps' },
    current: 3,
    load: null,
    want: 3,
  },
  {
    name: 'unknown type → disabled',
    labels: { 'com.openfaas.scale.type': 'memory' },
    current: 2,
    load: load({ rps: 1000 }),
    want: 2,
  },
  {
    name: 'min = max → static',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.min': '3',
      'com.openfaas.scale.max': '3',
    },
    current: 3,
    load: load({ rps: 1000 }),
    want: 3,
  },
  {
    name: 'max capped by the gateway',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.max': '1000',
      'com.openfaas.scale.target': '1',
      'com.openfaas.scale.target-proportion': '1',
    },
    current: 1,
    load: load({ rps: 5000 }),
    want: 100,
  },
  {
    name: 'bad target falls back to the default',
    labels: { 'com.openfaas.scale.type': 'rps', 'com.openfaas.scale.target': 'lots' },
    current: 1,
    load: load({ rps: 100 }),
    want: 3,
  },
  // down window: scale down only to the highest recommendation within it
  {
    name: 'down window holds the recent peak',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.target-proportion': '1',
      'com.openfaas.scale.down.window': '30s',
    },
    current: 4,
    load: load({ rps: 5 }),
    state: { recommendations: [[NOW - 20_000, 4]] },
    want: 4,
  },
  {
    name: 'down window: an old peak no longer counts',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.target-proportion': '1',
      'com.openfaas.scale.down.window': '30s',
    },
    current: 4,
    load: load({ rps: 5 }),
    state: {
      recommendations: [
        [NOW - 40_000, 4],
        [NOW - 10_000, 2],
      ],
    },
    want: 2,
  },
  {
    name: 'down window never delays scaling up',
    labels: {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.target-proportion': '1',
      'com.openfaas.scale.down.window': '5m',
    },
    current: 1,
    load: load({ rps: 20 }),
    state: { recommendations: [[NOW - 1000, 1]] },
    want: 4,
  },
  // CE alert rule (no scale.type): > 5 calls/s with code 200 steps by ceil(max × factor / 100)
  {
    name: 'alert: firing steps up by factor% of max (default max 5, factor 10 → 1)',
    labels: {},
    current: 1,
    load: load({ rps: 6, okRps: 6 }),
    want: 2,
  },
  {
    name: 'alert: min 1 max 2 under 10/s → 2',
    labels: { 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '2' },
    current: 1,
    load: load({ rps: 10, okRps: 10 }),
    want: 2,
  },
  {
    name: 'alert: factor 50 of max 10 → +5',
    labels: { 'com.openfaas.scale.max': '10', 'com.openfaas.scale.factor': '50' },
    current: 1,
    load: load({ rps: 8, okRps: 8 }),
    want: 6,
  },
  {
    name: 'alert: step capped at max',
    labels: { 'com.openfaas.scale.max': '10', 'com.openfaas.scale.factor': '100' },
    current: 4,
    load: load({ rps: 8, okRps: 8 }),
    want: 10,
  },
  {
    name: 'alert: 5 calls/s exactly does not fire',
    labels: {},
    current: 1,
    load: load({ rps: 5, okRps: 5 }),
    want: 1,
  },
  { name: 'alert: errors do not count', labels: {}, current: 1, load: load({ rps: 50, okRps: 1 }), want: 1 },
  {
    name: 'alert: still firing, not yet time to repeat',
    labels: {},
    current: 2,
    load: load({ rps: 9, okRps: 9 }),
    state: { alertFiring: true, alertStepAt: NOW - 5000 },
    want: 2,
  },
  {
    name: 'alert: still firing, repeat steps again',
    labels: {},
    current: 2,
    load: load({ rps: 9, okRps: 9 }),
    state: { alertFiring: true, alertStepAt: NOW - 10_000 },
    want: 3,
  },
  {
    name: 'alert: resolved → min',
    labels: { 'com.openfaas.scale.min': '2' },
    current: 5,
    load: load({ rps: 1, okRps: 1 }),
    state: { alertFiring: true },
    want: 2,
  },
  { name: 'alert: never fired → a count set by hand stands', labels: {}, current: 4, load: load(), want: 4 },
  {
    name: 'alert: factor 0 disables',
    labels: { 'com.openfaas.scale.factor': '0' },
    current: 1,
    load: load({ rps: 50, okRps: 50 }),
    want: 1,
  },
  {
    name: 'alert: factor 101 disables',
    labels: { 'com.openfaas.scale.factor': '101' },
    current: 1,
    load: load({ rps: 50, okRps: 50 }),
    want: 1,
  },
  {
    name: 'alert: non-integer factor falls back to 10',
    labels: { 'com.openfaas.scale.max': '20', 'com.openfaas.scale.factor': 'x' },
    current: 1,
    load: load({ rps: 50, okRps: 50 }),
    want: 3,
  },
  {
    name: 'alert: min = max is static',
    labels: { 'com.openfaas.scale.min': '2', 'com.openfaas.scale.max': '2' },
    current: 2,
    load: load({ rps: 50, okRps: 50 }),
    want: 2,
  },
  // scale to zero
  {
    name: 'zero: idle past zero-duration → 0',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
    current: 1,
    load: load(),
    state: { idleSince: NOW - 20_000 },
    want: 0,
  },
  {
    name: 'zero: idle not long enough',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
    current: 1,
    load: load(),
    state: { idleSince: NOW - 19_000 },
    want: 1,
  },
  {
    name: 'zero: the gateway default applies',
    labels: { 'com.openfaas.scale.zero': 'true' },
    current: 1,
    load: load(),
    state: { idleSince: NOW - 900_000 },
    want: 0,
  },
  {
    name: 'zero: an async backlog is activity',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '1s' },
    current: 1,
    load: load({ backlog: 1 }),
    state: { idleSince: NOW - 60_000 },
    want: 1,
  },
  {
    name: 'zero: a call in flight is activity',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '1s' },
    current: 1,
    load: load({ inflight: 1 }),
    state: { idleSince: NOW - 60_000 },
    want: 1,
  },
  {
    name: 'zero: no figure → never zero on a guess',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '1s' },
    current: 1,
    load: null,
    state: { idleSince: NOW - 60_000 },
    want: 1,
  },
  {
    name: 'zero: off unless asked',
    labels: { 'com.openfaas.scale.type': 'rps' },
    current: 1,
    load: load(),
    state: { idleSince: NOW - 10_000_000 },
    want: 1,
  },
  {
    name: 'zero: also for static min = max',
    labels: {
      'com.openfaas.scale.zero': 'true',
      'com.openfaas.scale.zero-duration': '1m',
      'com.openfaas.scale.min': '2',
      'com.openfaas.scale.max': '2',
    },
    current: 2,
    load: load(),
    state: { idleSince: NOW - 60_000 },
    want: 0,
  },
  {
    name: 'at zero stays at zero (scale from zero is the data plane’s)',
    labels: { 'com.openfaas.scale.type': 'rps' },
    current: 0,
    load: load(),
    want: 0,
  },
]

describe('scaling policy', () => {
  it.each(table)('$name', (row) => {
    const rule = scalingRule(row.labels, defaults)
    const state = row.state ? { ...initialState(), ...row.state } : null
    const decision = decide(
      rule,
      { now: NOW, current: row.current, ready: row.ready ?? row.current, load: row.load },
      state,
      options,
    )
    expect(decision.replicas, decision.reason).toBe(row.want)
  })

  it('the gateway-wide down window applies where the label is absent, and a label of 0 turns it off', () => {
    const withDefault = { ...defaults, downWindowMs: 30_000 }
    const labels = {
      'com.openfaas.scale.type': 'rps',
      'com.openfaas.scale.target': '5',
      'com.openfaas.scale.target-proportion': '1',
    }
    const state = { ...initialState(), recommendations: [[NOW - 10_000, 4]] as Array<[number, number]> }
    const observation = { now: NOW, current: 4, ready: 4, load: load({ rps: 5 }) }
    expect(decide(scalingRule(labels, withDefault), observation, state, options).replicas).toBe(4)
    const off = { ...labels, 'com.openfaas.scale.down.window': '0s' }
    expect(decide(scalingRule(off, withDefault), observation, state, options).replicas).toBe(1)
  })

  it('first sight counts as activity: a fresh gateway never scales a function to zero at once', () => {
    const rule = scalingRule(
      { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '1s' },
      defaults,
    )
    const first = decide(rule, { now: NOW, current: 1, ready: 1, load: load() }, null, options)
    expect(first.replicas).toBe(1)
    const later = decide(rule, { now: NOW + 1000, current: 1, ready: 1, load: load() }, first.state, options)
    expect(later.replicas).toBe(0)
  })

  it('a function woken from zero is not idle since before it slept, even before its call shows in the load', () => {
    const rule = scalingRule(
      { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
      defaults,
    )
    const asleep = decide(
      rule,
      { now: NOW, current: 0, ready: 0, load: load() },
      { ...initialState(), idleSince: NOW - 600_000 },
      options,
    )
    expect(asleep.replicas).toBe(0)
    const woken = decide(rule, { now: NOW + 1000, current: 1, ready: 0, load: load() }, asleep.state, options)
    expect(woken.replicas).toBe(1)
  })

  it('a tick without figures counts as active: after a source outage nothing is idle since before it', () => {
    const rule = scalingRule(
      { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
      defaults,
    )
    const outage = decide(
      rule,
      { now: NOW, current: 1, ready: 1, load: null },
      { ...initialState(), idleSince: NOW - 600_000 },
      options,
    )
    const back = decide(rule, { now: NOW + 2000, current: 1, ready: 1, load: load() }, outage.state, options)
    expect(back.replicas).toBe(1)
    // The idle clock starts at the first tick that finds it idle (NOW + 2 s), not at the outage's tick.
    const early = decide(rule, { now: NOW + 21_999, current: 1, ready: 1, load: load() }, back.state, options)
    expect(early.replicas).toBe(1)
    const later = decide(rule, { now: NOW + 22_000, current: 1, ready: 1, load: load() }, back.state, options)
    expect(later.replicas).toBe(0)
  })

  describe('zero-duration with a source that lags behind the calls', () => {
    const TICK = 2000
    const rule = scalingRule(
      { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '20s' },
      defaults,
    )

    /**
     * Ticks every 2 s from NOW with the activity the source reports at each tick, until the policy
     * goes to zero; answers when it did.
     */
    function zeroAt(activeAt: (tick: number) => boolean): number {
      let state: ScalingState | null = null
      for (let tick = NOW; tick < NOW + 600_000; tick += TICK) {
        const seen = activeAt(tick) ? load({ rps: 1 }) : load()
        const decision = decide(rule, { now: tick, current: 1, ready: 1, load: seen }, state, options)
        if (decision.replicas === 0) return tick
        state = decision.state
      }
      throw new Error('never went to zero')
    }

    it('calls after the last tick that saw activity, which no tick sees (a scrape behind): zero-duration still holds from the last call', () => {
      // Calls up to NOW + 11.5 s; the source's figures lag, and the ones after NOW + 10 s never show.
      const lastCall = NOW + 11_500
      const at = zeroAt((tick) => tick <= NOW + 10_000)
      expect(at - lastCall).toBeGreaterThanOrEqual(20_000)
    })

    it('activity seen one tick late restarts the idle clock from the tick that finds the function idle after it', () => {
      // The last call at NOW + 11.5 s shows at the tick of NOW + 14 s only, not at NOW + 12 s.
      const lastCall = NOW + 11_500
      const at = zeroAt((tick) => tick <= NOW + 10_000 || tick === NOW + 14_000)
      expect(at - lastCall).toBeGreaterThanOrEqual(20_000)
      expect(at).toBe(NOW + 16_000 + 20_000)
    })

    it('a source without lag: zero one zero-duration after the first idle tick, no later', () => {
      expect(zeroAt((tick) => tick <= NOW + 10_000)).toBe(NOW + 12_000 + 20_000)
    })

    it('a state stored by an older gateway (no idle clock) starts the clock at the next idle tick', () => {
      const legacy = { ...initialState(), lastActiveAt: NOW - 600_000 } as unknown as ScalingState
      Reflect.deleteProperty(legacy, 'idleSince')
      const first = decide(rule, { now: NOW, current: 1, ready: 1, load: load() }, legacy, options)
      expect(first.replicas).toBe(1)
      expect(first.state.idleSince).toBe(NOW)
    })
  })

  it('the down window keeps the recommendations it needs and no more', () => {
    const rule = scalingRule(
      {
        'com.openfaas.scale.type': 'rps',
        'com.openfaas.scale.target': '5',
        'com.openfaas.scale.down.window': '10m',
      },
      defaults,
    )
    let state: ScalingState | null = null
    for (let i = 0; i < 1000; i++) {
      state = decide(rule, { now: NOW + i * 5000, current: 1, ready: 1, load: load() }, state, options).state
    }
    // capped at 5 minutes (OpenFaaS's limit): 61 recommendations at one per 5 s
    expect(state?.recommendations.length).toBe(61)
  })
})

describe('several placements', () => {
  it.each([
    [[100], 1],
    [[100, 100], 0.5],
    [[80, 20], 0.8],
    [[0, 0], 1],
  ])('weights %j: each backend is sized for the heaviest share, %f of the load', (weights, share) => {
    expect(heaviestShare(weights)).toBeCloseTo(share)
  })
})
