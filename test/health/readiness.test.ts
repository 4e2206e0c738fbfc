/**
 * Readiness (`/readyz`): the pure check (store, queue, draining, caching) and the endpoint on a real
 * gateway whose NATS server goes away and comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadiness, describeReadiness } from '../../src/health/readiness.ts'
import { isStoreUnavailable } from '../../src/store/unavailable.ts'
import { type NatsServer, startNats } from '../harness/nats.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

describe('readiness check', () => {
  it('is ready only with the store and the queue answering and not draining', async () => {
    let storeUp = true
    let queueUp = true
    let now = 0
    const readiness = createReadiness({
      store: { ping: async () => (storeUp ? undefined : Promise.reject(new Error('down'))) },
      queue: { ready: async () => (queueUp ? undefined : Promise.reject(new Error('down'))) },
      cacheMs: 1000,
      now: () => now,
    })
    expect(await readiness.check()).toEqual({ ready: true, draining: false, store: 'ok', queue: 'ok' })
    storeUp = false
    queueUp = false
    // Cached: a flood of probes costs one round trip per interval.
    expect((await readiness.check()).ready).toBe(true)
    now = 1000
    const down = await readiness.check()
    expect(down).toEqual({ ready: false, draining: false, store: 'unreachable', queue: 'unreachable' })
    expect(describeReadiness(down)).toBe('not ready: store unreachable, queue unreachable')
    storeUp = true
    queueUp = true
    now = 2000
    readiness.drain()
    const draining = await readiness.check()
    expect(draining.ready).toBe(false)
    expect(describeReadiness(draining)).toBe('not ready: draining')
  })

  it('counts a check that hangs as unreachable', async () => {
    const readiness = createReadiness({
      store: { ping: () => new Promise<void>(() => {}) },
      queue: null,
      timeoutMs: 50,
    })
    expect(await readiness.check()).toEqual({
      ready: false,
      draining: false,
      store: 'unreachable',
      queue: 'none',
    })
  })
})

describe('store unavailable', () => {
  it('recognises connection failures along the cause chain, and nothing else', () => {
    const wrapped = (cause: unknown) => new Error('Failed query: select 1', { cause })
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).toBe(
      true,
    )
    expect(
      isStoreUnavailable(wrapped(Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' }))),
    ).toBe(true)
    // terminating connection due to administrator command; the database system is starting up
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('x'), { code: '57P01' })))).toBe(true)
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('x'), { code: '57P03' })))).toBe(true)
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('x'), { code: '08006' })))).toBe(true)
    // A unique violation or a syntax error is a bug or a conflict, not an outage.
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('x'), { code: '23505' })))).toBe(false)
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('x'), { code: '42601' })))).toBe(false)
    expect(isStoreUnavailable(new Error('plain'))).toBe(false)
    expect(isStoreUnavailable(null)).toBe(false)
  })
})

describe('/readyz on a gateway with a NATS queue', () => {
  let nats: NatsServer
  let g: TestGateway
  beforeAll(async () => {
    nats = await startNats()
    g = await startTestGateway({ EDGEFAAS_QUEUE_URL: nats.url })
  }, 60_000)
  afterAll(async () => {
    await g?.close()
    await nats?.stop()
  })

  it('is public and says which part fails, while /healthz stays live', async () => {
    const ready = await fetch(`${g.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.text()).toBe('ready\n')
    expect(ready.headers.get('cache-control')).toBe('no-store')
    expect((await fetch(`${g.url}/readyz`, { method: 'HEAD' })).status).toBe(200)
    expect((await fetch(`${g.url}/readyz`, { method: 'POST' })).status).toBe(405)
    // Liveness does not depend on the queue or the store.
    await nats.stop()
    await pollUntil(
      '/readyz to report the queue',
      async () => {
        const response = await fetch(`${g.url}/readyz`)
        return response.status === 503 && (await response.text()) === 'not ready: queue unreachable\n'
      },
      20_000,
      200,
    )
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200)
  })
})
