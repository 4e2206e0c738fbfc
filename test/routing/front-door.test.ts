/**
 * @module
 * Routing through a real front door: an edgefaas gateway whose backends are two other real edgefaas
 * gateways (each running functions with its local provider), reached with the openfaas provider over
 * loopback sockets. Weighted shares over 10,000 calls, a backend behind a slow link avoided, a function
 * missing on one backend served by the other, X-Edgefaas-Backend and X-OpenFaaS-Internal, the retry
 * budget capping resends when every backend refuses, and scale from zero across placements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenFaasProvider } from '../../providers/openfaas/index.ts'
import type { Provider } from '../../providers/types.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { type DelayProxy, startDelayProxy } from '../harness/delay-proxy.ts'
import { freePort } from '../harness/free-port.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { gatewayApi } from '../providers/gateway-api.ts'

const http = createNodeHttpClient()
let a: TestGateway
let b: TestGateway
let slowB: DelayProxy
let front: TestGateway
let auth: Record<string, string>

function backendOf(g: TestGateway, url = g.url): Provider {
  return createOpenFaasProvider({ url, credentials: { username: g.user, password: g.password }, http })
}

beforeAll(async () => {
  ;[a, b] = await Promise.all([startTestGateway(), startTestGateway()])
  slowB = await startDelayProxy(b.url, 200)
  const refusing = `http://127.0.0.1:${await freePort()}`
  const nobody = { username: 'x', password: 'y' }
  front = await startTestGateway(
    { EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: '20000' },
    {
      providers: {
        a: backendOf(a),
        b: backendOf(b),
        'b-slow': backendOf(b, slowB.url),
        'dead-1': createOpenFaasProvider({ url: refusing, credentials: nobody, http }),
        'dead-2': createOpenFaasProvider({ url: refusing, credentials: nobody, http }),
      },
    },
  )
  auth = { authorization: `Basic ${btoa(`${front.user}:${front.password}`)}` }
})

afterAll(async () => {
  await front?.close()
  await slowB?.close()
  await Promise.all([a?.close(), b?.close()])
  http.close()
})

/** Deploys `name` through the front door with the placement annotation; waits until each backend runs it. */
async function deploy(name: string, placement: string, on: TestGateway[]): Promise<void> {
  const res = await front.request('/system/functions', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: name,
      image: 'x',
      envProcess: nodeCommand('http-server.ts'),
      envVars: { mode: 'http' },
      annotations: { 'edgefaas.dev/backends': placement },
    }),
  })
  expect(res.status, await res.text()).toBe(202)
  await Promise.all(on.map((g) => gatewayApi(g).waitAvailable(name)))
}

/** `count` POSTs through the front door, `concurrency` at a time; the backends that served them. */
async function callMany(name: string, count: number, concurrency: number): Promise<Map<string, number>> {
  const served = new Map<string, number>()
  const failures: string[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      const res = await front.request(`/function/${name}`, { method: 'POST', body: 'ping' })
      const text = await res.text()
      if (res.status !== 200) failures.push(`${res.status} ${text}`)
      const backend = res.headers.get('x-edgefaas-backend') ?? 'none'
      served.set(backend, (served.get(backend) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  expect(failures.slice(0, 5)).toEqual([])
  expect(served.get('none'), 'answers without X-Edgefaas-Backend').toBeUndefined()
  return served
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await front.request('/metrics', { headers: auth })).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line ? Number(line.split(' ').pop()) : 0
}

describe('front door over two edgefaas backends', () => {
  it('weights 80/20 give 80±3% of 10,000 calls, each answer naming its backend', async () => {
    await deploy('weighted', 'a=80,b=20', [a, b])
    const served = await callMany('weighted', 10_000, 8)
    expect([...served.keys()].sort()).toEqual(['a', 'b'])
    const share = (served.get('a') ?? 0) / 10_000
    expect(share).toBeGreaterThan(0.77)
    expect(share).toBeLessThan(0.83)
    // Per-backend series count every attempt, by the status the backend answered.
    expect(await metric('edgefaas_backend_requests_total', 'backend="a",code="200"')).toBe(served.get('a'))
    expect(await metric('edgefaas_backend_healthy', 'backend="b"')).toBe(1)
  }, 120_000)

  it('a backend behind a link 200 ms slower receives clearly less traffic than its weight', async () => {
    await deploy('slow-link', 'b-slow=50,a=50', [a, b])
    const served = await callMany('slow-link', 400, 4)
    const slowShare = (served.get('b-slow') ?? 0) / 400
    expect(slowShare).toBeLessThan(0.15)
  }, 60_000)

  it('serves a function from the other placement while one backend lost it, with no failed call', async () => {
    await deploy('half-gone', 'b=50,a=50', [a, b])
    // b loses the function (as after a restart on an empty data folder) until the reconciler notices.
    const res = await b.request('/system/functions', {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${btoa(`${b.user}:${b.password}`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ functionName: 'half-gone' }),
    })
    expect(res.status).toBe(202)
    const served = await callMany('half-gone', 200, 4)
    expect(served.get('a')).toBeGreaterThan(0)
  }, 60_000)

  it("marks the gateway's own errors X-OpenFaaS-Internal: proxy, and never a function's answer", async () => {
    const missing = await front.request('/function/no-such-function', { method: 'POST' })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-openfaas-internal')).toBe('proxy')
    await missing.text()
    const answer = await front.request('/function/weighted', { method: 'GET' })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-openfaas-internal')).toBeNull()
    expect(answer.headers.get('x-edgefaas-backend')).toMatch(/^(a|b)$/)
    await answer.text()
  })

  it('when every backend refuses, resends stay within the retry budget (20% plus the reserve)', async () => {
    // A gateway of its own, so the budget holds no deposits from the other tests' traffic.
    const refusing = `http://127.0.0.1:${await freePort()}`
    const nobody = { username: 'x', password: 'y' }
    const dead = () => createOpenFaasProvider({ url: refusing, credentials: nobody, http })
    const lone = await startTestGateway({}, { providers: { 'dead-1': dead(), 'dead-2': dead() } })
    try {
      const loneAuth = { authorization: `Basic ${btoa(`${lone.user}:${lone.password}`)}` }
      const res = await lone.request('/system/functions', {
        method: 'POST',
        headers: { ...loneAuth, 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'nowhere',
          image: 'x',
          annotations: { 'edgefaas.dev/backends': 'dead-1=50,dead-2=50' },
        }),
      })
      expect(res.status).toBe(202)
      const started = Date.now()
      const calls = 500
      let failed = 0
      for (let i = 0; i < calls; i++) {
        const answer = await lone.request('/function/nowhere', { method: 'POST', body: 'x' })
        if (answer.status === 502) failed++
        expect(answer.headers.get('x-openfaas-internal')).toBe('proxy')
        expect(answer.headers.get('x-edgefaas-backend')).toMatch(/^dead-[12]$/)
        await answer.text()
      }
      const seconds = (Date.now() - started) / 1000
      const metric = async (labels: string, name = 'edgefaas_resends_total') => {
        const text = await (await lone.request('/metrics', { headers: loneAuth })).text()
        const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
        return line ? Number(line.split(' ').pop()) : 0
      }
      const resent = await metric('result="sent"')
      expect(failed).toBe(calls)
      // 20% of the calls, and the reserve of 10 per second over the budget's 10 s window (each second
      // the calls ran lets one more second of reserve in).
      expect(resent).toBeLessThanOrEqual(0.2 * calls + 10 * (Math.ceil(seconds) + 10))
      expect(resent).toBeGreaterThan(0)
      expect(await metric('result="budget_exhausted"')).toBeGreaterThan(0)
      expect(await metric('backend="dead-1"', 'edgefaas_backend_ejections_total')).toBeGreaterThan(0)
    } finally {
      await lone.close()
    }
  }, 60_000)

  it('async calls take the same routing: served although the first placement is dead', async () => {
    await deploy('async-target', 'dead-1=50,a=50', [a])
    const accepted = await front.request('/async-function/async-target', { method: 'POST', body: 'later' })
    expect(accepted.status).toBe(202)
    const id = accepted.headers.get('x-call-id')
    let call: { status?: string; lastStatus?: number | null } = {}
    await pollUntil('the async call to finish', async () => {
      call = (await (await front.request(`/system/calls/${id}`, { headers: auth })).json()) as typeof call
      return call.status !== 'queued' && call.status !== 'running'
    })
    expect(call).toMatchObject({ status: 'succeeded', lastStatus: 200 })
  }, 60_000)

  it('a call to a function at zero on every placement is held, scaled up and served', async () => {
    await deploy('sleepy', 'a=50,b=50', [a, b])
    const scale = await front.request('/system/scale-function/sleepy', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceName: 'sleepy', replicas: 0 }),
    })
    expect(scale.status).toBe(202)
    for (const g of [a, b]) {
      await pollUntil(
        'sleepy to be at zero on its backends',
        async () => (await gatewayApi(g).available('sleepy')) === 0,
      )
    }
    const res = await front.request('/function/sleepy', { method: 'POST', body: 'wake up' })
    expect(res.status, await res.text()).toBe(200)
    expect(res.headers.get('x-edgefaas-backend')).toMatch(/^(a|b)$/)
  }, 60_000)
})
