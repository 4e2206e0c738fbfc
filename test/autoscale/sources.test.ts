/**
 * The load sources without the gateway: the in-memory recorder's window arithmetic, the built-in source
 * summing two gateways through one store, and the Prometheus client against a real HTTP server (its
 * auth headers, error answers and odd bodies).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBuiltinSource } from '../../src/autoscale/builtin-source.ts'
import { createLoadRecorder } from '../../src/autoscale/load-recorder.ts'
import { createPrometheusClient, PrometheusError } from '../../src/autoscale/prometheus-client.ts'
import { createPrometheusSource } from '../../src/autoscale/prometheus-source.ts'
import { openStore } from '../../src/runtime/node/open-store.ts'

describe('load recorder', () => {
  it('counts calls per second over the window, 200s apart, and the mean in flight', () => {
    let t = 1_000_000
    const recorder = createLoadRecorder(10_000, () => t)
    // 2 s with one call in flight, then 20 calls answered (5 of them 500s)
    recorder.started('f.ns')
    t += 2000
    recorder.finished('f.ns', 200)
    for (let i = 0; i < 20; i++) {
      recorder.started('f.ns')
      recorder.finished('f.ns', i < 5 ? 500 : 200)
    }
    const load = recorder.read().get('f.ns')
    expect(load?.started).toBe(21)
    expect(load?.rps).toBeCloseTo(2.1)
    expect(load?.okRps).toBeCloseTo(1.6)
    expect(load?.inflight).toBeCloseTo(0.2) // 1 call × 2 s / 10 s
  })

  it('forgets calls older than the window, then the function', () => {
    let t = 5_000_000
    const recorder = createLoadRecorder(10_000, () => t)
    recorder.started('f.ns')
    recorder.finished('f.ns', 200)
    t += 5000
    expect(recorder.read().get('f.ns')?.rps).toBeCloseTo(0.1)
    t += 6000
    expect(recorder.read().has('f.ns')).toBe(false)
  })

  it('keeps a long call in flight visible however long it runs', () => {
    let t = 9_000_000
    const recorder = createLoadRecorder(10_000, () => t)
    recorder.started('slow.ns')
    t += 60_000
    expect(recorder.read().get('slow.ns')?.inflight).toBeCloseTo(1)
  })
})

describe('built-in source across gateways sharing one store', () => {
  it('sums every gateway’s fresh load; a gateway gone quiet stops counting once stale', async () => {
    const { store, close } = await openStore(':memory:', tmpdir())
    try {
      let t = 2_000_000_000_000
      const now = () => t
      const recorderA = createLoadRecorder(10_000, now)
      const recorderB = createLoadRecorder(10_000, now)
      const a = createBuiltinSource({ store, recorder: recorderA, instanceId: 'a', staleMs: 3000, now })
      const b = createBuiltinSource({ store, recorder: recorderB, instanceId: 'b', staleMs: 3000, now })
      for (let i = 0; i < 50; i++) {
        recorderA.started('f.ns')
        recorderA.finished('f.ns', 200)
      }
      for (let i = 0; i < 30; i++) {
        recorderB.started('f.ns')
        recorderB.finished('f.ns', 200)
      }
      await a.publish()
      await b.publish()
      expect((await a.read())?.get('f.ns')?.rps).toBeCloseTo(8)
      expect((await b.read())?.get('f.ns')?.started).toBe(80)
      // b stops publishing: after staleMs its rows no longer count for a.
      t += 4000
      await a.publish()
      expect((await a.read())?.get('f.ns')?.rps).toBeCloseTo(5)
    } finally {
      await close()
    }
  })
})

describe('Prometheus client', () => {
  let server: Server
  let url: string
  let seen: { url: string; headers: IncomingHttpHeaders } | null = null
  let answer: { status: number; body: string } = { status: 200, body: '' }

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { url: req.url ?? '', headers: req.headers }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const vector = (result: unknown) =>
    JSON.stringify({ status: 'success', data: { resultType: 'vector', result } })

  it('sends the query to /api/v1/query under the base path, with basic auth', async () => {
    answer = { status: 200, body: vector([{ metric: { function_name: 'f.ns' }, value: [1, '2.5'] }]) }
    const client = createPrometheusClient({
      url,
      auth: { kind: 'basic', user: 'u', password: 'p' },
      timeoutMs: 2000,
    })
    expect(await client.query('sum(x)')).toEqual([{ labels: { function_name: 'f.ns' }, value: 2.5 }])
    expect(seen?.url).toBe('/prefix/api/v1/query?query=sum(x)')
    expect(seen?.headers.authorization).toBe(`Basic ${btoa('u:p')}`)
  })

  it('sends a bearer token', async () => {
    answer = { status: 200, body: vector([]) }
    await createPrometheusClient({ url, auth: { kind: 'bearer', token: 't0k' }, timeoutMs: 2000 }).query('up')
    expect(seen?.headers.authorization).toBe('Bearer t0k')
  })

  it.each([
    [
      'an error answer',
      400,
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
      /parse error/,
    ],
    ['a body that is not JSON', 502, '<html>bad gateway</html>', /not JSON/],
    [
      'a matrix',
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
      /not an instant vector/,
    ],
    ['a malformed sample', 200, vector([{ metric: {}, value: [1] }]), /malformed/],
  ])('rejects %s with a PrometheusError', async (_, status, body, message) => {
    answer = { status, body }
    const client = createPrometheusClient({ url, timeoutMs: 2000 })
    await expect(client.query('x')).rejects.toThrow(PrometheusError)
    await expect(client.query('x')).rejects.toThrow(message)
  })

  it('rejects an unreachable store', async () => {
    const client = createPrometheusClient({ url: 'http://127.0.0.1:9', timeoutMs: 2000 })
    await expect(client.query('x')).rejects.toThrow(PrometheusError)
  })

  it('NaN (a rate over nothing) counts as no load', async () => {
    answer = { status: 200, body: vector([{ metric: { function_name: 'f.ns' }, value: [1, 'NaN'] }]) }
    expect(await createPrometheusClient({ url, timeoutMs: 2000 }).query('x')).toEqual([
      { labels: { function_name: 'f.ns' }, value: 0 },
    ])
  })

  it('the source refuses to report zero load when the store does not scrape the gateway', async () => {
    answer = { status: 200, body: vector([]) }
    const source = createPrometheusSource(createPrometheusClient({ url, timeoutMs: 2000 }), 10_000)
    await expect(source.read()).rejects.toThrow(/scraping the gateway/)
  })
})
