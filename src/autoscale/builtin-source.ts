/**
 * @module
 * The built-in load source: the gateways' own counters, no Prometheus needed.
 *
 * Every gateway publishes its recorder's view (load-recorder.ts) to the store on its autoscale tick, one
 * row per function it served within the window (`load_samples`); the lease holder sums its own live view
 * with the other gateways' rows that are fresh (written within `staleMs`). So one gateway reads memory
 * only, and several sharing one store (PostgreSQL, D1) see their summed load one tick late at most.
 * Rows of a gateway that stopped are ignored once stale and deleted later.
 */
import type { Store } from '../store/types.ts'
import type { LoadRecorder } from './load-recorder.ts'
import type { LoadSource, SourceLoad } from './source.ts'

export interface BuiltinSourceOptions {
  store: Store
  recorder: LoadRecorder
  instanceId: string
  /** Rows older than this are another gateway's past, not its present. */
  staleMs: number
  now?: () => number
}

export interface BuiltinSource extends LoadSource {
  /** Writes this gateway's view for the others; every gateway calls it each tick, holder or not. */
  publish(): Promise<void>
}

export function createBuiltinSource(options: BuiltinSourceOptions): BuiltinSource {
  const { store, recorder, instanceId } = options
  const now = options.now ?? Date.now
  let lastCleanup = 0

  return {
    kind: 'builtin',
    async publish() {
      const at = new Date(now())
      const samples = [...recorder.read()].map(([label, l]) => {
        const dot = label.lastIndexOf('.')
        return {
          instance: instanceId,
          namespace: label.slice(dot + 1),
          function: label.slice(0, dot),
          ...l,
          updatedAt: at,
        }
      })
      await store.putLoadSamples(samples)
      if (at.getTime() - lastCleanup > options.staleMs * 10) {
        lastCleanup = at.getTime()
        await store.deleteLoadSamplesBefore(new Date(at.getTime() - options.staleMs * 10))
      }
    },
    async read() {
      const out = new Map<string, SourceLoad>()
      const add = (label: string, l: Omit<SourceLoad, 'cpu'>) => {
        const sum = out.get(label) ?? { rps: 0, okRps: 0, inflight: 0, started: 0, cpu: null }
        sum.rps += l.rps
        sum.okRps += l.okRps
        sum.inflight += l.inflight
        sum.started += l.started
        out.set(label, sum)
      }
      for (const [label, l] of recorder.read()) add(label, l)
      const others = await store.listLoadSamples(new Date(now() - options.staleMs))
      for (const s of others) {
        if (s.instance !== instanceId) add(`${s.function}.${s.namespace}`, s)
      }
      return out
    },
  }
}
