/**
 * @module
 * Node's native invocation transport (src/runtime/node/native-invoke.ts) against a real gateway and a
 * real http-mode function: it serves what the Web transport serves, byte for byte where the caller
 * can tell, and handles what only a socket can send (repeated headers, `Expect: 100-continue`).
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

let g: TestGateway

beforeAll(async () => {
  g = await startTestGateway()
  const auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: 'echo',
      image: 'x',
      envProcess: nodeCommand('recorder.ts'),
      envVars: { mode: 'http' },
    }),
  })
  expect(res.status, await res.text()).toBe(202)
  await pollUntil('echo to answer', async () => (await fetch(`${g.url}/function/echo/`)).status === 200)
})
afterAll(() => g?.close())

/** One request over a fresh socket with exactly these header lines; the status, headers and body back. */
function raw(
  method: string,
  path: string,
  headers: Array<[string, string]>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const setHost = !headers.some(([name]) => name.toLowerCase() === 'host')
    const request = http.request({ host: '127.0.0.1', port: g.port, method, path, agent: false, setHost })
    for (const [name, value] of headers) {
      const previous = request.getHeader(name)
      request.setHeader(
        name,
        previous === undefined ? value : [...([] as string[]).concat(String(previous)), value],
      )
    }
    request.once('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      )
    })
    request.once('error', reject)
    if (headers.some(([name]) => name.toLowerCase() === 'expect')) {
      request.once('continue', () => request.end(body))
      request.flushHeaders()
    } else request.end(body)
  })
}

describe('native invocation transport', () => {
  it('sends the function what the Web transport sends, and answers the same', async () => {
    const init = { method: 'POST', body: 'hello', headers: { 'x-custom': 'v', 'x-call-id': 'fixed-id' } }
    const native = await fetch(`${g.url}/function/echo/__echo/sub?q=1&r=%2F`, init)
    const web = await g.request('/function/echo/__echo/sub?q=1&r=%2F', init)
    const [a, b] = [
      (await native.json()) as Record<string, unknown>,
      (await web.json()) as Record<string, unknown>,
    ]
    // The caller's address exists only on a socket, and an in-process Request built from a string has
    // no Content-Length (it goes chunked); everything else the function saw is the same.
    const strip = (seen: Record<string, unknown>) => {
      const headers = { ...(seen.headers as Record<string, string>) }
      for (const name of [
        'x-forwarded-for',
        'content-length',
        'transfer-encoding',
        'x-start-time',
        'host',
        'x-forwarded-host',
        'connection',
        'user-agent',
        'accept',
        'accept-encoding',
        'accept-language',
        'sec-fetch-mode',
      ])
        delete headers[name]
      return { ...seen, headers }
    }
    expect(strip(a)).toEqual(strip(b))
    expect((a.headers as Record<string, string>)['content-length']).toBe('5')
    expect((a.headers as Record<string, string>)['x-forwarded-for']).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(native.status).toBe(web.status)
    for (const name of ['x-call-id', 'x-served-by', 'x-edgefaas-backend', 'content-type'])
      expect(native.headers.get(name), name).toBe(web.headers.get(name))
  })

  it('joins a repeated request header as the Web transport does, rather than keeping the first', async () => {
    const res = await raw(
      'POST',
      '/function/echo/__echo',
      [
        ['X-Multi', 'a'],
        ['X-Multi', 'b'],
        ['Content-Length', '2'],
      ],
      'hi',
    )
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body) as { headers: Record<string, string> }).headers['x-multi']).toBe('a, b')
  })

  it('a caller that leaves mid-stream ends the upstream call, so the replica can retire at once', async () => {
    const auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    const json = { ...auth, 'content-type': 'application/json' }
    const deploy = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        service: 'stream',
        image: 'x',
        envProcess: nodeCommand('http-server.ts'),
        envVars: { mode: 'http' },
      }),
    })
    expect(deploy.status, await deploy.text()).toBe(202)
    await pollUntil(
      'stream to answer',
      async () => (await fetch(`${g.url}/function/stream/boot`)).status === 200,
    )
    const [instance] = await g.deps.providers.get('local')!.instances('openfaas-fn', 'stream')
    const pid = instance?.pid
    expect(pid).toBeTypeOf('number')

    // The function would hold this stream open for 30 s; the caller reads one event and leaves.
    const leave = new AbortController()
    const res = await fetch(`${g.url}/function/stream/sse?ms=30000`, { signal: leave.signal })
    const reader = res.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('first')
    leave.abort()

    // A replica retiring waits for the calls it serves: it stops now only if the call was released.
    const scale = await fetch(`${g.url}/system/scale-function/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ serviceName: 'stream', replicas: 0 }),
    })
    expect(scale.status).toBe(202)
    await pollUntil(
      'the replica to stop well before the stream would have ended',
      async () => {
        try {
          process.kill(pid!, 0)
          return false
        } catch {
          return true
        }
      },
      10_000,
    )
  })

  it('leaves a custom domain to its mapping: /function/* under its Host is no direct invocation', async () => {
    const auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    const created = await fetch(`${g.url}/system/domains`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ host: 'api.example.com', function: 'echo', path: '/v1' }),
    })
    expect(created.status, await created.text()).toBe(201)
    const outside = await raw('GET', '/function/echo/__echo', [['Host', 'api.example.com']])
    expect(outside.status).toBe(404)
    expect(outside.body).toContain('api.example.com serves paths under /v1')
    const inside = await raw('GET', '/v1/__echo', [['Host', 'api.example.com']])
    expect(JSON.parse(inside.body)).toMatchObject({ method: 'GET', url: '/__echo' })
  })

  it('takes a body sent after 100 Continue, and does not pass Expect on', async () => {
    const res = await raw(
      'PUT',
      '/function/echo/__echo',
      [
        ['Expect', '100-continue'],
        ['Content-Length', '5'],
      ],
      'later',
    )
    expect(res.status).toBe(200)
    const seen = JSON.parse(res.body) as { body: string; headers: Record<string, string> }
    expect(seen.body).toBe('later')
    expect(seen.headers.expect).toBeUndefined()
  })

  it('passes on an empty answer (Content-Length: 0) and ends it, call after call', async () => {
    const auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    const deployed = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'cat', image: 'x', envProcess: 'cat' }),
    })
    expect(deployed.status, await deployed.text()).toBe(202)
    await pollUntil('cat to answer', async () => (await fetch(`${g.url}/function/cat`)).status === 200)
    // cat of nothing is nothing: the watchdog answers 200 with Content-Length: 0. Each call on a socket
    // of its own, the chunked empty body as curl sends it, then a plain empty one.
    for (const headers of [
      [['Transfer-Encoding', 'chunked']],
      [['Transfer-Encoding', 'chunked']],
      [['Content-Length', '0']],
      [['Content-Length', '0']],
    ] as Array<Array<[string, string]>>) {
      const res = await raw('POST', '/function/cat', headers, '')
      expect(res.status).toBe(200)
      expect(res.body).toBe('')
      expect(res.headers['content-length']).toBe('0')
    }
  }, 20_000)
})
