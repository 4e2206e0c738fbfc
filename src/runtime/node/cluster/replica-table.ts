/**
 * @module
 * The primary's side of the replica tables its worker processes pick local replicas from, so a worker
 * serves a call to a local function with no IPC per call (see worker-replicas.ts for the other side).
 *
 * A worker subscribes to a function on its first call to it. From then on the primary pushes that
 * function's routable replicas to it whenever they may have changed (a replica turned ready or died, a
 * scale-down or an update started retiring one, a retiring one was taken back), coalesced per microtask.
 *
 * Nothing is dropped by a retire: for every replica it lists to a worker, the primary holds one call in
 * on that replica (`ReplicaRoute.hold()`, the replica's own in-flight count) under a number the worker
 * gets with it. A retiring replica is no longer routable, so the next push leaves it out; the worker
 * stops choosing it at once and sends the hold's number back when its own calls to it have ended. Only
 * then does the primary let go of the hold, so the replica's retire waits for the worker's calls exactly
 * as for the primary's, bounded by the same drain timeout. A call the worker picked just before the push
 * arrived is counted under a hold the primary still has: there is no window where neither side counts it.
 */
import type { ReplicaTableSource } from '../../../../providers/local/index.ts'

/** One replica a worker may choose, under the number of the hold the primary keeps for it. */
export interface WireReplica {
  hold: number
  origin: string
  /** Of the function's current version: preferred, as the local provider's own pick does. */
  current: boolean
}

/** Primary → worker: a function's routable replicas now (an empty list: none; ask the primary). */
export interface ReplicasMessage {
  kind: 'replicas'
  namespace: string
  name: string
  replicas: WireReplica[]
}

export interface ReplicaPublisher {
  /** Starts pushing this function's table to the worker (once per function; repeats are ignored). */
  subscribe(namespace: string, name: string): void
  /** The worker's calls under this hold are over and it will not choose that replica under it again. */
  release(hold: number): void
  /** The worker is gone: lets go of every hold it had and stops pushing. */
  close(): void
  /** Holds not yet released (tests, diagnostics). */
  readonly holds: number
}

/** The publisher for one worker process; `send` posts one message to it (false when its pipe is closed). */
export function createReplicaPublisher(
  source: ReplicaTableSource,
  send: (message: ReplicasMessage) => boolean,
): ReplicaPublisher {
  /** Per subscribed function: the replicas listed in the last push, `id origin` → hold number. */
  const listed = new Map<string, { namespace: string; name: string; holds: Map<string, number> }>()
  const holds = new Map<number, () => void>()
  const pending = new Set<string>()
  let nextHold = 1
  let scheduled = false
  let closed = false

  const push = (key: string) => {
    const entry = listed.get(key)
    if (!entry) return
    const now = new Map<string, number>()
    const replicas: WireReplica[] = []
    for (const route of source.replicaTable(entry.namespace, entry.name)) {
      // The origin is part of the identity: a replica restarted on another port is a new entry.
      const identity = `${route.id} ${route.origin}`
      let hold = entry.holds.get(identity)
      if (hold === undefined) {
        hold = nextHold++
        holds.set(hold, route.hold())
      }
      now.set(identity, hold)
      replicas.push({ hold, origin: route.origin, current: route.current })
    }
    // Holds of replicas left out stay until the worker sends them back (release()).
    entry.holds = now
    send({ kind: 'replicas', namespace: entry.namespace, name: entry.name, replicas })
  }

  const flush = () => {
    scheduled = false
    if (closed) return
    const keys = [...pending]
    pending.clear()
    for (const key of keys) push(key)
  }

  const schedule = (key: string) => {
    pending.add(key)
    if (scheduled) return
    scheduled = true
    queueMicrotask(flush)
  }

  const unsubscribe = source.onRoutingChange((namespace, name) => {
    const key = `${namespace}/${name}`
    if (listed.has(key)) schedule(key)
  })

  return {
    subscribe(namespace, name) {
      const key = `${namespace}/${name}`
      if (closed || listed.has(key)) return
      listed.set(key, { namespace, name, holds: new Map() })
      schedule(key)
    },
    release(hold) {
      const done = holds.get(hold)
      holds.delete(hold)
      done?.()
    },
    close() {
      if (closed) return
      closed = true
      unsubscribe()
      for (const done of holds.values()) done()
      holds.clear()
      listed.clear()
      pending.clear()
    },
    get holds() {
      return holds.size
    },
  }
}
