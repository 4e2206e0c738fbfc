/**
 * @module
 * A worker process's copy of the local replica tables the primary pushes (replica-table.ts), and the
 * pick it makes from them with no IPC: the local provider's policy (replicas of the current version
 * first, round-robin), with this process's own count of calls in flight per replica.
 *
 * A replica the latest push leaves out (retiring, dead, or its function removed) is never chosen again;
 * once this process's calls to it have ended, its hold goes back to the primary, whose retire of that
 * replica waits for it. A count taken at pick time is synchronous, so a push arriving mid-call only marks
 * the entry: the release waits for the count to reach zero.
 */
import type { ReplicasMessage, WireReplica } from './replica-table.ts'

interface Entry {
  readonly hold: number
  readonly origin: string
  current: boolean
  listed: boolean
  inflight: number
}

interface FunctionTable {
  /** Where the next call goes: the listed replicas of the current version, else every listed one. */
  pool: Entry[]
  next: number
  /** Every entry not yet released: the listed ones and the ones still finishing calls. */
  entries: Map<number, Entry>
}

/** A replica chosen for one call: send it to `origin`; call `done()` once the call is over (idempotent). */
export interface PickedReplica {
  origin: string
  done(): void
}

export interface WorkerReplicas {
  /**
   * A replica for this call, counted in; null when this process has no table for the function yet (it
   * subscribes then) or the table is empty: the caller asks the primary, as before tables existed.
   */
  pick(namespace: string, name: string): PickedReplica | null
  /** Applies a push from the primary. */
  apply(message: ReplicasMessage): void
  /** Calls in flight per hold (tests). */
  inflight(): number
}

export function createWorkerReplicas(options: {
  subscribe(namespace: string, name: string): void
  release(hold: number): void
}): WorkerReplicas {
  const tables = new Map<string, FunctionTable>()
  const subscribed = new Set<string>()

  const end = (entry: Entry, table: FunctionTable) => {
    entry.inflight--
    if (!entry.listed && entry.inflight === 0) {
      table.entries.delete(entry.hold)
      options.release(entry.hold)
    }
  }

  return {
    pick(namespace, name) {
      const key = `${namespace}/${name}`
      const table = tables.get(key)
      if (!table) {
        if (!subscribed.has(key)) {
          subscribed.add(key)
          options.subscribe(namespace, name)
        }
        return null
      }
      const pool = table.pool
      if (pool.length === 0) return null
      let entry: Entry
      if (pool.length === 1) entry = pool[0] as Entry
      else {
        table.next = (table.next + 1) % pool.length
        entry = pool[table.next] as Entry
      }
      entry.inflight++
      let ended = false
      return {
        origin: entry.origin,
        done() {
          if (ended) return
          ended = true
          end(entry, table)
        },
      }
    },

    apply(message) {
      const key = `${message.namespace}/${message.name}`
      subscribed.add(key)
      let table = tables.get(key)
      if (!table) {
        table = { pool: [], next: 0, entries: new Map() }
        tables.set(key, table)
      }
      const given = new Map<number, WireReplica>(message.replicas.map((r) => [r.hold, r]))
      for (const entry of table.entries.values()) {
        if (!entry.listed || given.has(entry.hold)) continue
        entry.listed = false
        if (entry.inflight === 0) {
          table.entries.delete(entry.hold)
          options.release(entry.hold)
        }
      }
      const listed: Entry[] = []
      for (const replica of message.replicas) {
        let entry = table.entries.get(replica.hold)
        if (!entry) {
          entry = {
            hold: replica.hold,
            origin: replica.origin,
            current: replica.current,
            listed: true,
            inflight: 0,
          }
          table.entries.set(replica.hold, entry)
        }
        entry.current = replica.current
        listed.push(entry)
      }
      const current = listed.filter((e) => e.current)
      table.pool = current.length > 0 ? current : listed
      if (table.next >= table.pool.length) table.next = 0
    },

    inflight() {
      let n = 0
      for (const table of tables.values()) for (const entry of table.entries.values()) n += entry.inflight
      return n
    },
  }
}
