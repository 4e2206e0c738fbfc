/**
 * @module
 * This gateway's own load per function over a sliding window, kept in memory from the proxy's metric
 * calls (recording-metrics.ts): calls started and completed per second, and calls in flight integrated
 * over time so capacity scaling sees the mean, not whatever the tick happened to catch. A few
 * increments per call; functions idle for a whole window are forgotten.
 */

export interface LocalLoad {
  /** Completed calls per second over the window. */
  rps: number
  /** Completed calls answered 200, per second. */
  okRps: number
  /** Mean calls in flight over the window. */
  inflight: number
  /** Calls started within the window. */
  started: number
}

export interface LoadRecorder {
  started(functionName: string): void
  finished(functionName: string, code: number): void
  /** The load of every function seen within the window, by `name.namespace`. */
  read(): Map<string, LocalLoad>
}

interface Bucket {
  second: number
  started: number
  finished: number
  ok: number
  /** Σ inflight × ms within this second. */
  area: number
}

interface Tracked {
  inflight: number
  lastChange: number
  buckets: Bucket[]
}

export function createLoadRecorder(windowMs: number, now: () => number = Date.now): LoadRecorder {
  const functions = new Map<string, Tracked>()
  const windowSeconds = Math.max(1, Math.round(windowMs / 1000))

  /** Accounts the time since the last change at the old in-flight count; returns this second's bucket. */
  function advance(t: Tracked, at: number): Bucket {
    let from = t.lastChange
    while (from < at) {
      const to = Math.min(at, (Math.floor(from / 1000) + 1) * 1000)
      if (t.inflight > 0) bucketAt(t, Math.floor(from / 1000)).area += t.inflight * (to - from)
      from = to
    }
    t.lastChange = at
    return bucketAt(t, Math.floor(at / 1000))
  }

  function bucketAt(t: Tracked, second: number): Bucket {
    const last = t.buckets[t.buckets.length - 1]
    if (last && last.second === second) return last
    const found = t.buckets.find((b) => b.second === second)
    if (found) return found
    const bucket = { second, started: 0, finished: 0, ok: 0, area: 0 }
    t.buckets.push(bucket)
    if (t.buckets.length > windowSeconds + 2) t.buckets.splice(0, t.buckets.length - windowSeconds - 2)
    return bucket
  }

  function tracked(name: string, at: number): Tracked {
    let t = functions.get(name)
    if (!t) {
      t = { inflight: 0, lastChange: at, buckets: [] }
      functions.set(name, t)
    }
    return t
  }

  return {
    started(name) {
      const at = now()
      const t = tracked(name, at)
      advance(t, at).started++
      t.inflight++
    },
    finished(name, code) {
      const at = now()
      const t = tracked(name, at)
      const bucket = advance(t, at)
      bucket.finished++
      if (code === 200) bucket.ok++
      t.inflight = Math.max(0, t.inflight - 1)
    },
    read() {
      const at = now()
      const since = at - windowSeconds * 1000
      const out = new Map<string, LocalLoad>()
      for (const [name, t] of functions) {
        advance(t, at)
        let started = 0
        let finished = 0
        let ok = 0
        let area = 0
        for (const b of t.buckets) {
          if ((b.second + 1) * 1000 <= since) continue
          started += b.started
          finished += b.finished
          ok += b.ok
          area += b.area
        }
        if (started === 0 && finished === 0 && t.inflight === 0 && area === 0) {
          functions.delete(name)
          continue
        }
        const seconds = windowSeconds
        out.set(name, {
          rps: finished / seconds,
          okRps: ok / seconds,
          inflight: area / (seconds * 1000),
          started,
        })
      }
      return out
    },
  }
}
