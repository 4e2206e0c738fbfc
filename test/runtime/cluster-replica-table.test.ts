/**
 * The replica-table protocol between the primary (replica-table.ts) and a worker (worker-replicas.ts),
 * wired back to back through an in-order message queue as the IPC pipe delivers them, over a table
 * source whose replicas count holds exactly as a local Replica counts calls. The orderings that matter
 * are driven one message at a time: a pick made before a retiring push arrives, a resume while a
 * release is on its way, a worker gone with holds out. The real processes are in node-processes.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { ReplicaRoute, ReplicaTableSource } from '../../providers/local/index.ts'
import { Channel } from '../../src/runtime/node/cluster/channel.ts'
import { createRemoteLocalProvider } from '../../src/runtime/node/cluster/remote-local-provider.ts'
import {
  createReplicaPublisher,
  type ReplicaPublisher,
  type ReplicasMessage,
} from '../../src/runtime/node/cluster/replica-table.ts'
import { createWorkerReplicas, type WorkerReplicas } from '../../src/runtime/node/cluster/worker-replicas.ts'

interface FakeReplica {
  id: string
  port: number
  routable: boolean
  current: boolean
  /** Calls counted in, as Replica.enter() counts them (the primary's holds included). */
  inflight: number
}

function fakeSource() {
  const replicas: FakeReplica[] = []
  const listeners = new Set<(namespace: string, name: string) => void>()
  const source: ReplicaTableSource = {
    replicaTable: () =>
      replicas
        .filter((r) => r.routable)
        .map(
          (r): ReplicaRoute => ({
            id: r.id,
            origin: `http://127.0.0.1:${r.port}`,
            current: r.current,
            hold() {
              r.inflight++
              let ended = false
              return () => {
                if (ended) return
                ended = true
                r.inflight--
              }
            },
          }),
        ),
    onRoutingChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  const changed = () => {
    for (const listener of listeners) listener('fn', 'echo')
  }
  const add = (id: string, port: number, current = true) => {
    const replica = { id, port, routable: true, current, inflight: 0 }
    replicas.push(replica)
    changed()
    return replica
  }
  return { source, replicas, changed, add, listenerCount: () => listeners.size }
}

/** A primary and a worker joined by two in-order queues; `deliver()` hands over what was sent so far. */
function pair(source: ReplicaTableSource) {
  const toWorker: ReplicasMessage[] = []
  const toPrimary: Array<
    { kind: 'subscribe'; namespace: string; name: string } | { kind: 'release'; hold: number }
  > = []
  const publisher: ReplicaPublisher = createReplicaPublisher(source, (m) => {
    toWorker.push(structuredClone(m))
    return true
  })
  const worker: WorkerReplicas = createWorkerReplicas({
    subscribe: (namespace, name) => toPrimary.push({ kind: 'subscribe', namespace, name }),
    release: (hold) => toPrimary.push({ kind: 'release', hold }),
  })
  /** Lets pushes scheduled in a microtask be sent, then delivers every message both ways. */
  const deliver = async () => {
    await Promise.resolve()
    for (;;) {
      await Promise.resolve()
      const up = toPrimary.splice(0)
      const down = toWorker.splice(0)
      if (up.length === 0 && down.length === 0) return
      for (const m of up) {
        if (m.kind === 'subscribe') publisher.subscribe(m.namespace, m.name)
        else publisher.release(m.hold)
      }
      for (const m of down) worker.apply(m)
    }
  }
  /** Delivers what the primary sent so far to the worker, and nothing the other way. */
  const deliverToWorkerOnly = async () => {
    await Promise.resolve()
    for (const m of toWorker.splice(0)) worker.apply(m)
  }
  return { publisher, worker, deliver, deliverToWorkerOnly, toPrimary, toWorker }
}

describe('replica tables between the primary and a worker process', () => {
  it('a first call finds no table and subscribes; the push that follows serves the next calls', async () => {
    const { source, add } = fakeSource()
    add('a', 1001)
    const { worker, deliver } = pair(source)
    expect(worker.pick('fn', 'echo')).toBeNull()
    await deliver()
    const picked = worker.pick('fn', 'echo')
    expect(picked?.origin).toBe('http://127.0.0.1:1001')
    picked?.done()
  })

  it('round-robins over ready replicas of the current version, and over all when none is current', async () => {
    const { source, add, replicas, changed } = fakeSource()
    add('a', 1001)
    add('b', 1002)
    add('old', 1003, false)
    const { worker, deliver } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    const origins = Array.from({ length: 6 }, () => {
      const p = worker.pick('fn', 'echo')
      p?.done()
      return p?.origin
    })
    expect(new Set(origins)).toEqual(new Set(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']))
    for (const r of replicas) r.routable = r.id === 'old'
    changed()
    await deliver()
    expect(worker.pick('fn', 'echo')?.origin).toBe('http://127.0.0.1:1003')
  })

  it('holds each listed replica for the worker, and lets go only after a retire is pushed and its calls end', async () => {
    const { source, add, changed } = fakeSource()
    const a = add('a', 1001)
    const { worker, publisher, deliver } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    // Listed: the primary counts one hold on it for the worker, with no call in flight yet.
    expect(a.inflight).toBe(1)
    const first = worker.pick('fn', 'echo')
    const second = worker.pick('fn', 'echo')
    // The worker's calls cost the primary nothing: no message, no count.
    expect(a.inflight).toBe(1)
    a.routable = false // retiring
    changed()
    await deliver()
    // The worker saw the retire but has two calls on it: the hold stays, so the retire waits.
    expect(a.inflight).toBe(1)
    expect(worker.pick('fn', 'echo')).toBeNull()
    first?.done()
    first?.done() // twice is once
    await deliver()
    expect(a.inflight).toBe(1)
    second?.done()
    await deliver()
    expect(a.inflight).toBe(0)
    expect(publisher.holds).toBe(0)
  })

  it('a call picked before the retiring push arrives is still covered by the hold', async () => {
    const { source, add, changed } = fakeSource()
    const a = add('a', 1001)
    const { worker, deliver } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    a.routable = false
    changed()
    // The push is on its way: the worker still picks `a`, synchronously counted.
    const late = worker.pick('fn', 'echo')
    expect(late?.origin).toBe('http://127.0.0.1:1001')
    await deliver()
    expect(a.inflight).toBe(1)
    late?.done()
    await deliver()
    expect(a.inflight).toBe(0)
  })

  it('a replica taken back while its release is in flight is listed under a new hold', async () => {
    const { source, add, changed } = fakeSource()
    const a = add('a', 1001)
    const { worker, deliver, deliverToWorkerOnly, publisher } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    a.routable = false
    changed()
    await deliverToWorkerOnly() // the worker releases; the release has not reached the primary
    a.routable = true // resumed
    changed()
    await deliver()
    // The old hold is gone, the new one kept: the worker may choose `a` again, and it is counted.
    expect(a.inflight).toBe(1)
    expect(publisher.holds).toBe(1)
    const call = worker.pick('fn', 'echo')
    expect(call?.origin).toBe('http://127.0.0.1:1001')
    a.routable = false
    changed()
    await deliver()
    expect(a.inflight).toBe(1)
    call?.done()
    await deliver()
    expect(a.inflight).toBe(0)
  })

  it('a replica restarted on another port is a new entry; the dead origin is never chosen again', async () => {
    const { source, add, changed } = fakeSource()
    const a = add('a', 1001)
    const { worker, deliver } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    a.port = 2002
    changed()
    await deliver()
    const p = worker.pick('fn', 'echo')
    expect(p?.origin).toBe('http://127.0.0.1:2002')
    p?.done()
    expect(a.inflight).toBe(1)
  })

  it('an empty table sends calls back to the primary; a worker gone lets go of every hold', async () => {
    const { source, add, changed, replicas, listenerCount } = fakeSource()
    const a = add('a', 1001)
    const b = add('b', 1002)
    const { worker, deliver, publisher } = pair(source)
    worker.pick('fn', 'echo')
    await deliver()
    const call = worker.pick('fn', 'echo')
    for (const r of replicas) r.routable = false
    changed()
    await deliver()
    expect(worker.pick('fn', 'echo')).toBeNull()
    expect(call).not.toBeNull()
    expect(a.inflight + b.inflight).toBe(1)
    publisher.close()
    expect(a.inflight + b.inflight).toBe(0)
    expect(listenerCount()).toBe(0)
  })

  it("the worker's local provider answers from its table without a Promise, and leaves a call without one to the primary", async () => {
    const { source, add } = fakeSource()
    const replica = add('a', 1001)
    const { worker, deliver } = pair(source)
    const sent: unknown[] = []
    const channel = new Channel({
      send: (message) => sent.push(message) > 0,
      on: () => undefined,
      off: () => undefined,
    })
    const provider = createRemoteLocalProvider(channel, worker)
    const request = { method: 'POST', hasBody: true, signal: new AbortController().signal }

    // No table yet: nothing known at once, so the native transport asks target(), which asks the primary.
    expect(provider.targetNow?.('fn', 'echo', '/', request)).toBeUndefined()
    void provider.target?.('fn', 'echo', '/', request).catch(() => {})
    expect(sent).toContainEqual(expect.objectContaining({ kind: 'call', op: 'local.target' }))

    await deliver()
    const target = provider.targetNow?.('fn', 'echo', 'x?q=1', request)
    expect(target).toMatchObject({ origin: 'http://127.0.0.1:1001', path: '/x?q=1' })
    // Counted in on the replica's hold until done, as a call picked through target() is.
    expect(worker.inflight()).toBe(1)
    target?.done?.()
    expect(worker.inflight()).toBe(0)
    expect(replica.inflight).toBe(1) // the primary's hold for the worker, not a call
    channel.close()
  })
})
