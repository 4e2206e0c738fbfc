// Metrics on the Worker: invocations through the Worker are counted per isolate, flushed to the
// MetricsAggregator Durable Object, and GET /metrics serves the sum over isolates as Prometheus text.
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { build, type Env } from '../../src/runtime/workers/index.ts'
import { api, auth, registerNodeBackend, until } from './helpers.ts'

const scrape = async () => {
  const res = await SELF.fetch('http://gateway.test/metrics', { headers: auth })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  return await res.text()
}

const sampleOf = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

describe('metrics on the Worker', () => {
  it('counts invocations through the Worker and serves them at /metrics', async () => {
    const { selector } = await registerNodeBackend()
    const name = `met-${crypto.randomUUID().slice(0, 8)}`
    const deployed = await api('POST', '/system/functions', {
      service: name,
      image: 'functions/alpine:latest',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': selector },
    })
    expect(deployed.status, await deployed.text()).toBe(202)
    await until('the function to answer', async () => {
      const res = await SELF.fetch(`http://gateway.test/function/${name}`, { method: 'POST', body: 'warm' })
      await res.arrayBuffer()
      return res.status === 200
    })
    const series = `gateway_function_invocation_total{function_name="${name}.openfaas-fn",code="200"}`
    const before = sampleOf(await scrape(), series)
    for (let i = 0; i < 3; i++) {
      const res = await SELF.fetch(`http://gateway.test/function/${name}`, { method: 'POST', body: 'x' })
      expect(await res.text()).toBe('x')
    }
    const text = await scrape()
    expect(sampleOf(text, series)).toBe(before + 3)
    expect(text).toContain('# TYPE gateway_function_invocation_total counter')
    expect(text).toContain(`gateway_functions_seconds_count{function_name="${name}.openfaas-fn",code="200"}`)
    // The function list's invocationCount comes from the same totals.
    const listed = (await (await api('GET', '/system/functions')).json()) as Array<{
      name: string
      invocationCount: number
    }>
    expect(listed.find((f) => f.name === name)?.invocationCount).toBe(before + 3)
    await api('DELETE', '/system/functions', { functionName: name })
  }, 60_000)

  it('adds up what several isolates flushed', async () => {
    const fn = `sum-${crypto.randomUUID().slice(0, 8)}.openfaas-fn`
    const series = `gateway_function_invocation_total{function_name="${fn}",code="202"}`
    const isolates = await Promise.all([1, 2].map(() => build(env as unknown as Env)))
    isolates.forEach((g, i) => {
      for (let n = 0; n <= i; n++) {
        g.metrics!.invocationStarted(fn)
        g.metrics!.invocationFinished(fn, 202, 0.02)
      }
    })
    await Promise.all(isolates.map((g) => g.metrics!.flush()))
    const text = await scrape()
    expect(sampleOf(text, series)).toBe(3)
    expect(sampleOf(text, `gateway_function_invocation_inflight{function_name="${fn}"}`)).toBe(0)
    expect(
      sampleOf(text, `gateway_functions_seconds_bucket{function_name="${fn}",code="202",le="0.025"}`),
    ).toBe(3)
    expect(
      sampleOf(text, `gateway_functions_seconds_bucket{function_name="${fn}",code="202",le="0.01"}`),
    ).toBe(0)
  })

  it('costs one Durable Object round trip per flush', async () => {
    const g = await build(env as unknown as Env)
    const rounds = 20
    const started = Date.now()
    for (let i = 0; i < rounds; i++) {
      g.metrics!.invocationStarted('cost.openfaas-fn')
      g.metrics!.invocationFinished('cost.openfaas-fn', 200, 0.001)
      await g.metrics!.flush()
    }
    console.log(
      `metrics flush: ${((Date.now() - started) / rounds).toFixed(2)} ms per Durable Object round trip`,
    )
  })
})
