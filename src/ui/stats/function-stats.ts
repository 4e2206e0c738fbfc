/**
 * @module
 * A small in-memory time series per function for the dashboard: calls, server errors (5xx), a latency
 * histogram and replicas, in fixed slots (5 s by default, 6 minutes kept), fed by the proxy's own metric
 * calls (recording.ts) and the tick's replica sample. Memory is bounded: slots are allocated only when a
 * function is called or sampled, a function's ring holds at most `slots` of them, and a function silent
 * for longer than the ring is forgotten.
 *
 * This is this gateway's view (each gateway, each Workers isolate, counts what it served); the autoscaler's
 * cross-gateway figures live in the store (autoscale/builtin-source.ts) and are not a time series.
 */

export interface StatsOptions {
  slotMs?: number
  slots?: number
  now?: () => number
}

/** Latency histogram: bin i holds durations up to `BASE_MS * GROWTH^i`; the last bin everything longer. */
const BASE_MS = 0.5
const GROWTH = 1.5
const BINS = 36
const LOG_GROWTH = Math.log(GROWTH)

interface Slot {
  /** The slot's start, ms since the epoch, a multiple of slotMs. */
  start: number
  calls: number
  errors: number
  histogram: Uint32Array | null
  /** Desired and ready replicas last sampled in this slot; -1: not sampled. */
  desired: number
  ready: number
}

interface Tracked {
  slots: Slot[]
  lastErrorCode: number | null
  lastErrorAt: number | null
  /** Whether the latest call answered a server error: a function failing every call stays visible. */
  lastFailed: boolean
  lastSeen: number
  /**
   * Replicas as last sampled, and as they were before the oldest slot in the ring: a sample that
   * changes nothing allocates no slot (the tick samples every function), the chart carries values forward.
   */
  desired: number
  ready: number
  baseDesired: number
  baseReady: number
}

export interface FunctionSummary {
  /** Completed calls per second over the window. */
  rps: number
  calls: number
  errors: number
  /** errors / calls; null without calls. */
  errorRatio: number | null
  /** 95th percentile latency in ms over the window; null without calls. */
  p95Ms: number | null
  lastErrorCode: number | null
  lastErrorAt: Date | null
  /** The latest call this gateway saw answered 5xx (or no status). */
  lastCallFailed: boolean
}

/** Columns for uPlot: `t` in seconds, one entry per slot, null where a slot has no figure. */
export interface FunctionSeries {
  slotSeconds: number
  t: number[]
  calls: number[]
  errors: number[]
  p95: Array<number | null>
  desired: Array<number | null>
  ready: Array<number | null>
}

export interface FunctionStats {
  finished(label: string, code: number, seconds: number): void
  sampleReplicas(label: string, desired: number, ready: number): void
  summary(label: string, windowMs: number): FunctionSummary
  series(label: string): FunctionSeries
  /** Functions tracked now (for tests and the memory bound). */
  size(): number
  /** Slots allocated for one function (for tests and the memory bound). */
  slotCount(label: string): number
}

export function createFunctionStats(options: StatsOptions = {}): FunctionStats {
  const slotMs = options.slotMs ?? 5000
  const keep = options.slots ?? 72
  const now = options.now ?? Date.now
  const functions = new Map<string, Tracked>()
  let lastSweep = 0

  function trackedFor(label: string, at: number): Tracked {
    let t = functions.get(label)
    if (!t) {
      t = {
        slots: [],
        lastErrorCode: null,
        lastErrorAt: null,
        lastFailed: false,
        lastSeen: at,
        desired: -1,
        ready: -1,
        baseDesired: -1,
        baseReady: -1,
      }
      functions.set(label, t)
    }
    t.lastSeen = at
    return t
  }

  function slotFor(label: string, at: number): Slot {
    const start = Math.floor(at / slotMs) * slotMs
    const t = trackedFor(label, at)
    const last = t.slots[t.slots.length - 1]
    if (last && last.start === start) return last
    if (last && last.start > start) {
      // A clock step backwards: count it in the newest slot rather than reorder the ring.
      return last
    }
    const slot: Slot = { start, calls: 0, errors: 0, histogram: null, desired: -1, ready: -1 }
    t.slots.push(slot)
    const oldest = start - (keep - 1) * slotMs
    let drop = 0
    while (drop < t.slots.length && (t.slots[drop]?.start ?? 0) < oldest) {
      const gone = t.slots[drop]
      if (gone && gone.desired >= 0) {
        t.baseDesired = gone.desired
        t.baseReady = gone.ready
      }
      drop++
    }
    if (drop > 0) t.slots.splice(0, drop)
    sweep(at)
    return slot
  }

  /** Forgets functions silent for longer than the ring, at most once per slot. */
  function sweep(at: number): void {
    if (at - lastSweep < slotMs) return
    lastSweep = at
    for (const [label, t] of functions) if (at - t.lastSeen > keep * slotMs) functions.delete(label)
  }

  function slotsWithin(label: string, from: number): Slot[] {
    const t = functions.get(label)
    if (!t) return []
    return t.slots.filter((s) => s.start + slotMs > from)
  }

  return {
    finished(label, code, seconds) {
      const at = now()
      const slot = slotFor(label, at)
      slot.calls++
      const t = functions.get(label)
      const failed = code >= 500 || code < 100
      if (t) t.lastFailed = failed
      if (failed) {
        slot.errors++
        if (t) {
          t.lastErrorCode = code
          t.lastErrorAt = at
        }
      }
      slot.histogram ??= new Uint32Array(BINS)
      const bin = binOf(seconds * 1000)
      slot.histogram[bin] = (slot.histogram[bin] ?? 0) + 1
    },
    sampleReplicas(label, desired, ready) {
      const at = now()
      const t = trackedFor(label, at)
      if (t.desired === desired && t.ready === ready) return
      t.desired = desired
      t.ready = ready
      const slot = slotFor(label, at)
      slot.desired = desired
      slot.ready = ready
    },
    summary(label, windowMs) {
      const at = now()
      const slots = slotsWithin(label, at - windowMs)
      const merged = new Uint32Array(BINS)
      let calls = 0
      let errors = 0
      for (const s of slots) {
        calls += s.calls
        errors += s.errors
        if (s.histogram) for (let i = 0; i < BINS; i++) merged[i] = (merged[i] ?? 0) + (s.histogram[i] ?? 0)
      }
      const t = functions.get(label)
      return {
        rps: calls / (windowMs / 1000),
        calls,
        errors,
        errorRatio: calls > 0 ? errors / calls : null,
        p95Ms: calls > 0 ? quantile(merged, calls, 0.95) : null,
        lastErrorCode: t?.lastErrorCode ?? null,
        lastErrorAt: t?.lastErrorAt != null ? new Date(t.lastErrorAt) : null,
        lastCallFailed: t?.lastFailed ?? false,
      }
    },
    series(label) {
      const at = now()
      const newest = Math.floor(at / slotMs) * slotMs
      const first = newest - (keep - 1) * slotMs
      const t = functions.get(label)
      // Slots before `first` still in the ring hold the value the window starts with.
      let desired = t?.baseDesired ?? -1
      let ready = t?.baseReady ?? -1
      for (const s of t?.slots ?? []) {
        if (s.start >= first) break
        if (s.desired >= 0) {
          desired = s.desired
          ready = s.ready
        }
      }
      const bySlot = new Map(slotsWithin(label, first).map((s) => [s.start, s]))
      const out: FunctionSeries = {
        slotSeconds: slotMs / 1000,
        t: [],
        calls: [],
        errors: [],
        p95: [],
        desired: [],
        ready: [],
      }
      for (let start = first; start <= newest; start += slotMs) {
        const s = bySlot.get(start)
        out.t.push(start / 1000)
        out.calls.push(s?.calls ?? 0)
        out.errors.push(s?.errors ?? 0)
        out.p95.push(s?.histogram && s.calls > 0 ? round(quantile(s.histogram, s.calls, 0.95)) : null)
        if (s && s.desired >= 0) {
          desired = s.desired
          ready = s.ready
        }
        out.desired.push(desired >= 0 ? desired : null)
        out.ready.push(ready >= 0 ? ready : null)
      }
      return out
    },
    size: () => functions.size,
    slotCount: (label) => functions.get(label)?.slots.length ?? 0,
  }
}

function binOf(ms: number): number {
  if (!(ms > BASE_MS)) return 0
  return Math.min(BINS - 1, Math.ceil(Math.log(ms / BASE_MS) / LOG_GROWTH))
}

/** The upper bound of the bin holding the q-quantile: never under-reports a slow function. */
function quantile(histogram: Uint32Array, count: number, q: number): number {
  const rank = Math.ceil(count * q)
  let seen = 0
  for (let i = 0; i < BINS; i++) {
    seen += histogram[i] ?? 0
    if (seen >= rank) return BASE_MS * GROWTH ** i
  }
  return BASE_MS * GROWTH ** (BINS - 1)
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
