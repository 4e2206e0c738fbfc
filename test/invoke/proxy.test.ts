/**
 * The invocation data plane through a real Node gateway and the local provider: what `faas-cli invoke`
 * and the certifier's invoke tests check, streaming, scale from zero, logs and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

let g: TestGateway
let auth: Record<string, string>

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: '20000' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
})
afterAll(() => g.close())

async function deploy(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status, await res.text()).toBe(202)
  await waitReady(String(body.service))
}

async function waitReady(name: string, count = 1): Promise<void> {
  await pollUntil(`${name} to have ${count} ready replica(s)`, async () => {
    const res = await fetch(`${g.url}/system/function/${name}`, { headers: auth })
    return (((await res.json()) as { availableReplicas?: number }).availableReplicas ?? 0) >= count
  })
}

const invoke = (path: string, init?: RequestInit) =>
  fetch(`${g.url}/function/${path}`, { redirect: 'manual', ...init })

async function generationOf(name: string): Promise<number> {
  const res = await fetch(`${g.url}/system/deployments?name=${name}`, { headers: auth })
  const [row] = (await res.json()) as Array<{ generation: number }>
  return row?.generation ?? -1
}

describe('sync invocation', () => {
  beforeAll(() =>
    deploy({
      service: 'env',
      image: 'ghcr.io/openfaas/alpine:latest',
      envProcess: 'env',
      envVars: { custom_env: 'custom_env_value' },
    }),
  )

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])(
    '%s reaches the function (faas-cli invoke path name.ns)',
    async (method) => {
      const res = await invoke('env.openfaas-fn', { method, ...(method === 'GET' ? {} : { body: 'x' }) })
      expect(res.status).toBe(200)
      const body = await res.text()
      expect(body).toContain(`Http_Method=${method}`)
      expect(body).toContain('custom_env=custom_env_value')
      expect(res.headers.get('x-call-id')).toMatch(/^[0-9a-f-]{36}$/)
      expect(res.headers.get('x-start-time')).toMatch(/^\d{19}$/)
    },
  )

  it('passes the raw query (Http_Query), the sub-path and the forwarding headers', async () => {
    const res = await invoke('env/some/path/?testing=1&b=%20')
    const body = await res.text()
    expect(body).toContain('Http_Query=testing=1&b=%20')
    expect(body).toContain('Http_Path=/some/path/')
    expect(body).toMatch(/Http_X_Forwarded_For=127\.0\.0\.1:\d+/)
    expect(body).toMatch(/Http_X_Forwarded_Host=127\.0\.0\.1:\d+/)
    expect(body).toMatch(/Http_X_Call_Id=[0-9a-f-]{36}/)
  })

  it('forwards a caller-supplied X-Call-Id without echoing it', async () => {
    const res = await invoke('env', { headers: { 'X-Call-Id': 'mine-123' } })
    expect(await res.text()).toContain('Http_X_Call_Id=mine-123')
    expect(res.headers.get('x-call-id')).toBeNull()
  })

  it('unknown functions are 404, including the empty name the certifier uses', async () => {
    for (const path of ['nope', 'nope.openfaas-fn', '.openfaas-fn', 'env.other-namespace', 'UPPER']) {
      const res = await invoke(path, { method: 'POST' })
      expect(res.status, path).toBe(404)
    }
  })

  it('echoes a 1 MB body intact through a cat function', async () => {
    await deploy({ service: 'cat', image: 'functions/alpine:latest', envProcess: 'cat' })
    const body = new Uint8Array(1024 * 1024)
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) % 256
    const res = await invoke('cat', { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(body))).toBe(true)
  })

  it('passes a 302 through with its Location, not followed', async () => {
    await deploy({
      service: 'redirector',
      image: 'theaxer/redirector',
      envProcess: nodeCommand('redirect.ts'),
      envVars: { mode: 'http', destination: 'http://example.com/' },
    })
    const res = await invoke('redirector.openfaas-fn')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('http://example.com/')
  })

  it('streams server-sent events one by one, before the response ends', async () => {
    await deploy({
      service: 'sse',
      image: 'x',
      envProcess: nodeCommand('http-server.ts'),
      envVars: { mode: 'http' },
    })
    const res = await invoke('sse/sse', { headers: { accept: 'text/event-stream' } })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n')
    // The function holds the stream open until told; the first event has already arrived.
    expect((await invoke('sse/release')).status).toBe(200)
    let rest = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      rest += new TextDecoder().decode(value)
    }
    expect(rest).toBe('data: last\n\n')
  })

  it('a function slower than its timeout annotation, that does not answer its timeout itself, gives 502', async () => {
    // exec_timeout 0 turns off the watchdog's own limit, which would answer 408 first (see
    // test/providers/local-call-processes.test.ts): here only the gateway's wait ends the call.
    await deploy({
      service: 'slow',
      image: 'x',
      envProcess: 'sleep 5',
      envVars: { exec_timeout: '0' },
      annotations: { 'edgefaas.dev/timeout': '300ms' },
    })
    const started = Date.now()
    const res = await invoke('slow')
    expect(res.status).toBe(502)
    expect(Date.now() - started).toBeLessThan(4000)
  })
})

describe('scale from zero', () => {
  it('a call to a function scaled to 0 is held, then served', async () => {
    await deploy({ service: 'zero', image: 'x', envProcess: 'env' })
    const scale = await fetch(`${g.url}/system/scale-function/zero`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceName: 'zero', replicas: 0 }),
    })
    expect(scale.status).toBe(202)
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${g.url}/system/function/zero`, { headers: auth })).json()) as {
              availableReplicas?: number
            }
          ).availableReplicas ?? 0,
      )
      .toBe(0)
    const res = await invoke('zero', { method: 'POST', body: 'hi' })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Http_Method=POST')
    const status = (await (await fetch(`${g.url}/system/function/zero`, { headers: auth })).json()) as {
      replicas?: number
    }
    expect(status.replicas).toBe(1)
  })

  it('20 concurrent calls to a function at zero cause one scale-up, to the min label', async () => {
    await deploy({
      service: 'burst',
      image: 'x',
      envProcess: 'cat',
      labels: { 'com.openfaas.scale.min': '2' },
    })
    await fetch(`${g.url}/system/scale-function/burst`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceName: 'burst', replicas: 0 }),
    })
    const before = await generationOf('burst')
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => invoke('burst', { method: 'POST', body: `call-${i}` })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(
      Array.from({ length: 20 }, (_, i) => `call-${i}`),
    )
    expect(await generationOf('burst')).toBe(before + 1)
    const status = (await (await fetch(`${g.url}/system/function/burst`, { headers: auth })).json()) as {
      replicas?: number
    }
    expect(status.replicas).toBe(2)
  })
})

describe('logs', () => {
  it('faas-cli logs: NDJSON lines with the classic watchdog messages', async () => {
    await deploy({ service: 'test-logger', image: 'functions/alpine:latest', envProcess: 'cat' })
    const call = await invoke('test-logger.openfaas-fn', { method: 'POST', body: 'openfaas-fn' })
    expect(await call.text()).toBe('openfaas-fn')
    let texts: string[] = []
    await expect
      .poll(
        async () => {
          const res = await fetch(
            `${g.url}/system/logs?name=test-logger&namespace=openfaas-fn&follow=false&tail=-1`,
            { headers: auth },
          )
          expect(res.headers.get('content-type')).toBe('application/x-ndjson')
          const lines = (await res.text())
            .split('\n')
            .filter(Boolean)
            .map(
              (l) =>
                JSON.parse(l) as {
                  name: string
                  namespace: string
                  instance: string
                  timestamp: string
                  text: string
                },
            )
          for (const line of lines)
            expect(Object.keys(line)).toEqual(['name', 'namespace', 'instance', 'timestamp', 'text'])
          texts = lines.map((l) => l.text.replace(/^[\d/: ]+/, ''))
          return (
            texts.some((t) => t.startsWith('Forking fprocess')) &&
            texts.some((t) => t.startsWith('Wrote 11 Bytes'))
          )
        },
        { timeout: 5000 },
      )
      .toBe(true)
  })

  it('follow streams a line written after the request started', async () => {
    const controller = new AbortController()
    const res = await fetch(`${g.url}/system/logs?name=test-logger&follow=1&tail=0`, {
      headers: auth,
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await invoke('test-logger', { method: 'POST', body: 'later' })
    const { value } = await reader.read()
    expect(new TextDecoder().decode(value)).toMatch(/"name":"test-logger"/)
    controller.abort()
  })

  it.each([
    ['tail=abc', 422],
    ['follow=maybe', 422],
    ['since=yesterday', 422],
  ])('a bad query (%s) is %i', async (query, status) => {
    const res = await fetch(`${g.url}/system/logs?name=test-logger&${query}`, { headers: auth })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe('could not parse the log request\n')
  })

  it('an unknown function is 404, a missing name 400', async () => {
    expect((await fetch(`${g.url}/system/logs?name=ghost`, { headers: auth })).status).toBe(404)
    expect((await fetch(`${g.url}/system/logs`, { headers: auth })).status).toBe(400)
  })
})

describe('metrics', () => {
  it('counts a known number of calls under the OpenFaaS series and in invocationCount', async () => {
    await deploy({ service: 'counted', image: 'x', envProcess: 'cat' })
    for (let i = 0; i < 7; i++)
      expect((await invoke('counted', { method: 'POST', body: 'x' })).status).toBe(200)
    const metrics = await (await fetch(`${g.url}/metrics`, { headers: auth })).text()
    expect(metrics).toContain(
      'gateway_function_invocation_total{function_name="counted.openfaas-fn",code="200"} 7',
    )
    expect(metrics).toContain('gateway_function_invocation_started{function_name="counted.openfaas-fn"} 7')
    expect(metrics).toContain(
      'gateway_functions_seconds_count{function_name="counted.openfaas-fn",code="200"} 7',
    )
    expect(metrics).toContain('gateway_function_invocation_inflight{function_name="counted.openfaas-fn"} 0')
    const list = (await (await fetch(`${g.url}/system/functions`, { headers: auth })).json()) as Array<{
      name: string
      invocationCount?: number
    }>
    expect(list.find((f) => f.name === 'counted')?.invocationCount).toBe(7)
  })

  it('/metrics needs credentials', async () => {
    expect((await fetch(`${g.url}/metrics`)).status).toBe(401)
  })
})
