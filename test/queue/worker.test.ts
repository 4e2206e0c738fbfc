/**
 * The async worker against the embedded queue on an in-memory store, with the invocation and the
 * callback transport replaced by controllable fakes: graceful shutdown, cancellation, callback retries,
 * and the per-function in-flight cap.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.ts'
import { createEmbeddedQueue } from '../../src/queue/embedded/driver.ts'
import type { QueueDriver } from '../../src/queue/types.ts'
import { createAsyncWorker, type WorkerOptions } from '../../src/queue/worker.ts'
import { createRouteCache } from '../../src/routing/route-cache.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { testCallRecord } from '../conformance/queue.suite.ts'
import { pollUntil } from '../harness/poll.ts'

let store: Store
let close: () => Promise<void>
let queue: QueueDriver

beforeEach(async () => {
  ;({ store, close } = await openStore(':memory:', '/tmp'))
  queue = createEmbeddedQueue(store, { pollMs: 10 })
})
afterEach(async () => {
  await queue.close()
  await close()
})

function worker(over: Partial<WorkerOptions>) {
  return createAsyncWorker({
    queue,
    store,
    invoke: async () => new Response('ok'),
    routes: createRouteCache(store, 1000),
    sendCallback: async () => 200,
    logger: silentLogger,
    retryDefaults: {
      attempts: 3,
      codes: new Set([500]),
      minWaitMs: 10,
      maxWaitMs: 20,
      backoff: 'exponential',
    },
    queues: async () => ['default'],
    maxInflight: 10,
    maxInflightPerFunction: 10,
    leaseMs: 5000,
    callbackAttempts: 3,
    callbackBaseDelayMs: 5,
    userAgent: 'test',
    ...over,
  })
}

async function enqueue(id: string, callbackUrl: string | null = null): Promise<void> {
  await store.createCall({ id, namespace: 'openfaas-fn', function: 'echo', queue: 'default' })
  await queue.enqueue(testCallRecord('default', { id, callbackUrl }))
}

describe('async worker', () => {
  it('stop() lets a running call finish before the deadline and takes no new ones', async () => {
    let release = () => {}
    const calls: string[] = []
    const w = worker({
      invoke: async (request) => {
        calls.push(request.headers.get('x-call-id') ?? '?')
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return new Response('done')
      },
    })
    await enqueue('a')
    w.start()
    await pollUntil('the call to start', async () => calls.length === 1)
    const stopped = w.stop(5000)
    await enqueue('b')
    release()
    expect(await stopped).toEqual({ finished: 1, released: 0 })
    expect((await store.getCall('a'))?.status).toBe('succeeded')
    expect((await store.getCall('b'))?.status).toBe('queued')
    expect(calls).toEqual(['a'])
  })

  it('stop() releases a call still running at the deadline; it comes back for another worker', async () => {
    let started = false
    const w = worker({
      invoke: () => {
        started = true
        return new Promise<Response>(() => {})
      },
    })
    await enqueue('slow')
    w.start()
    await pollUntil('the call to start', async () => started)
    expect(await w.stop(50)).toEqual({ finished: 0, released: 1 })
    const [again] = await queue.receive('default', { max: 1, leaseMs: 1000, waitMs: 1000 })
    expect(again?.record.id).toBe('slow')
    expect(again?.deliveryCount).toBe(2)
  })

  it('skips a cancelled call without invoking it', async () => {
    let invoked = 0
    const w = worker({
      invoke: async () => {
        invoked++
        return new Response('x')
      },
    })
    await enqueue('c')
    expect(await store.cancelCall('c')).toBe(true)
    expect(await w.drainOnce()).toBe(1)
    expect(invoked).toBe(0)
    expect(await queue.depth('default')).toBe(0)
    expect((await store.getCall('c'))?.status).toBe('cancelled')
  })

  it('claims a batch at once: runs the queued calls of it, skips the cancelled one, acks all', async () => {
    const invoked: string[] = []
    const w = worker({
      invoke: async (req) => {
        invoked.push(req.headers.get('x-call-id') ?? '')
        return new Response('x')
      },
    })
    for (const id of ['b1', 'b2', 'b3']) await enqueue(id)
    expect(await store.cancelCall('b2')).toBe(true)
    expect(await w.drainOnce()).toBe(3)
    expect(invoked.sort()).toEqual(['b1', 'b3'])
    expect(await queue.depth('default')).toBe(0)
    expect(await store.getCall('b1')).toMatchObject({ status: 'succeeded', attempts: 1, lastStatus: 200 })
    expect(await store.getCall('b2')).toMatchObject({ status: 'cancelled' })
    expect(await store.getCall('b3')).toMatchObject({ status: 'succeeded', attempts: 1 })
  })

  it('keeps the lease of a call that runs longer than the lease: nobody else receives it meanwhile', async () => {
    let release = () => {}
    let invoked = 0
    const w = worker({
      leaseMs: 1000,
      invoke: async () => {
        invoked++
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return new Response('done')
      },
    })
    await enqueue('long')
    const draining = w.drainOnce()
    await pollUntil('the long call started', async () => invoked === 1)
    // Three lease lengths: without extensions the message would be available again well before the end.
    const until = Date.now() + 3000
    while (Date.now() < until) {
      expect(await queue.receive('default', { max: 1, leaseMs: 1000, waitMs: 200 })).toEqual([])
    }
    release()
    await draining
    expect(invoked).toBe(1)
    expect(await store.getCall('long')).toMatchObject({ status: 'succeeded', attempts: 1 })
    expect(await queue.depth('default')).toBe(0)
  })

  it('retries a failing callback and succeeds once the receiver recovers', async () => {
    let tries = 0
    const w = worker({
      sendCallback: async () => {
        tries++
        if (tries < 3) throw new Error('connection refused')
        return 204
      },
    })
    await enqueue('cb', 'https://hooks.example.com/x')
    await w.drainOnce()
    expect(tries).toBe(3)
    expect((await store.getCall('cb'))?.status).toBe('succeeded')
  })

  it('a receiver that keeps failing dead-letters the call with the reason', async () => {
    const w = worker({ sendCallback: async () => 503 })
    await enqueue('cb-dead', 'https://hooks.example.com/x')
    await w.drainOnce()
    expect(await store.getDeadLetter('cb-dead')).toMatchObject({
      lastError: 'callback receiver answered 503',
    })
    expect((await store.getCall('cb-dead'))?.status).toBe('dead')
  })

  it('runs at most maxInflightPerFunction calls of one function at once', async () => {
    let running = 0
    let peak = 0
    const w = worker({
      maxInflightPerFunction: 2,
      invoke: async () => {
        running++
        peak = Math.max(peak, running)
        await new Promise((resolve) => setTimeout(resolve, 20))
        running--
        return new Response('x')
      },
    })
    for (let i = 0; i < 6; i++) await enqueue(`p${i}`)
    expect(await w.drainOnce()).toBe(6)
    expect(peak).toBe(2)
  })
})
