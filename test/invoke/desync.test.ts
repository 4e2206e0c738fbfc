/**
 * Framing between caller, gateway and function, over raw sockets against a real gateway and a real
 * function that records the exact bytes it receives (test/fixtures/functions/recorder.ts). A request
 * whose body the gateway does not forward (GET, HEAD) must not announce one upstream: otherwise the
 * function takes the next request on the kept-alive connection, another caller's, as that body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'
import { type RawResponse, rawExchange } from '../harness/raw-http.ts'

let g: TestGateway
let auth: Record<string, string>

interface Seen {
  method: string
  url: string
  contentLength: string | null
  transferEncoding: string | null
  body: string
}

beforeAll(async () => {
  // A desynchronised upstream leaves the gateway waiting for an answer: fail in seconds, not a minute.
  g = await startTestGateway({ EDGEFAAS_UPSTREAM_TIMEOUT_MS: '4000' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      service: 'recorder',
      image: 'recorder',
      envProcess: nodeCommand('recorder.ts'),
      envVars: { mode: 'http' },
    }),
  })
  expect(res.status, await res.text()).toBe(202)
  await pollUntil('recorder to be ready', async () => {
    const status = await fetch(`${g.url}/system/function/recorder`, { headers: auth })
    return (((await status.json()) as { availableReplicas?: number }).availableReplicas ?? 0) > 0
  })
})
afterAll(() => g.close())

const PATH = '/function/recorder'

function seen(response: RawResponse | undefined): Seen {
  expect(response?.status, response?.body).toBe(200)
  return JSON.parse(response?.body ?? '') as Seen
}

/** Every request the function has received so far, as raw text per upstream connection. */
async function upstreamBytes(): Promise<string[]> {
  const res = await fetch(`${g.url}${PATH}/__raw`)
  return ((await res.json()) as { connections: string[] }).connections
}

/** Heads of the body-less requests (GET, HEAD) in the raw upstream bytes. */
function bodylessHeads(connections: string[]): string[] {
  return connections
    .flatMap((raw) => [...raw.matchAll(/(?:^|\n)((?:GET|HEAD) [^\r]*\r\n[\s\S]*?\r\n\r\n)/g)])
    .map((m) => m[1] ?? '')
}

function request(method: string, path: string, headers: string[], body = ''): string {
  return [`${method} ${PATH}${path} HTTP/1.1`, 'Host: gateway.test', ...headers, '', body].join('\r\n')
}

/** A complete request to send inside another request's body. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n'

describe('requests whose body is not forwarded', () => {
  it('GET with a Content-Length and a smuggled request as body: the next caller on the reused upstream connection gets its own answer', async () => {
    const [first] = await rawExchange(
      g.port,
      request('GET', '/first', [`Content-Length: ${SMUGGLED.length}`], SMUGGLED),
      1,
    )
    // Another caller, on its own connection; the gateway reuses its kept-alive upstream connection.
    const [second] = await rawExchange(
      g.port,
      request('POST', '/second', ['Content-Length: 11', 'Content-Type: text/plain'], 'second-body'),
      1,
    )
    expect(seen(first)).toMatchObject({ method: 'GET', url: '/first', transferEncoding: null })
    expect(seen(second)).toEqual({
      method: 'POST',
      url: '/second',
      contentLength: '11',
      transferEncoding: null,
      body: 'second-body',
    })
    expect(seen(first).contentLength).toBeNull()
    const raw = await upstreamBytes()
    expect(raw.join('')).not.toContain('smuggled')
    for (const head of bodylessHeads(raw)) expect(head).not.toMatch(/content-length|transfer-encoding/i)
  })

  it('pipelined on one client connection: GET with a body, then GET, then POST, each answered for itself', async () => {
    const bytes =
      request('GET', '/a', [`Content-Length: ${SMUGGLED.length}`], SMUGGLED) +
      request('GET', '/b', []) +
      request('POST', '/c', ['Content-Length: 3'], 'ccc')
    const responses = await rawExchange(g.port, bytes, 3)
    expect(responses.map((r) => seen(r).url)).toEqual(['/a', '/b', '/c'])
    expect(seen(responses[2]).body).toBe('ccc')
    expect((await upstreamBytes()).join('')).not.toContain('smuggled')
  })

  it('GET with Transfer-Encoding: chunked carrying a smuggled request, pipelined with another GET', async () => {
    const chunked = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`
    const bytes =
      request('GET', '/te', ['Transfer-Encoding: chunked'], chunked) + request('GET', '/after-te', [])
    const responses = await rawExchange(g.port, bytes, 2)
    expect(seen(responses[0])).toMatchObject({ url: '/te', contentLength: null, transferEncoding: null })
    expect(seen(responses[1]).url).toBe('/after-te')
    const raw = await upstreamBytes()
    expect(raw.join('')).not.toContain('smuggled')
    for (const head of bodylessHeads(raw)) expect(head).not.toMatch(/content-length|transfer-encoding/i)
  })

  it('HEAD with a Content-Length, pipelined with a GET', async () => {
    const bytes = request('HEAD', '/head', ['Content-Length: 5'], 'hello') + request('GET', '/after-head', [])
    const responses = await rawExchange(g.port, bytes, 2, { heads: [true, false] })
    expect(responses[0]?.status).toBe(200)
    expect(seen(responses[1]).url).toBe('/after-head')
    for (const head of bodylessHeads(await upstreamBytes())) {
      expect(head).not.toMatch(/content-length|transfer-encoding/i)
    }
  })

  it('both Content-Length and Transfer-Encoding: refused with 400 at the gateway, never forwarded', async () => {
    const bytes = request(
      'POST',
      '/ambiguous',
      ['Content-Length: 4', 'Transfer-Encoding: chunked'],
      '0\r\n\r\n',
    )
    const [response] = await rawExchange(g.port, bytes, 1)
    expect(response?.status).toBe(400)
    expect((await upstreamBytes()).join('')).not.toContain('/ambiguous')
  })
})

describe('requests whose body is forwarded', () => {
  it('a Content-Length body arrives with that length; a chunked one arrives chunked', async () => {
    const bytes =
      request('PUT', '/length', ['Content-Length: 5'], 'hello') +
      request('POST', '/chunked', ['Transfer-Encoding: chunked'], '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n') +
      request('DELETE', '/delete', ['Content-Length: 2'], 'xy')
    const [length, chunked, del] = await rawExchange(g.port, bytes, 3)
    expect(seen(length)).toMatchObject({
      method: 'PUT',
      contentLength: '5',
      transferEncoding: null,
      body: 'hello',
    })
    expect(seen(chunked)).toMatchObject({ contentLength: null, transferEncoding: 'chunked', body: 'abcde' })
    expect(seen(del)).toMatchObject({ method: 'DELETE', contentLength: '2', body: 'xy' })
  })
})

describe('response headers', () => {
  it('headers the function names in its Connection header do not reach the caller', async () => {
    const res = await fetch(`${g.url}${PATH}/hop`)
    expect(await res.text()).toBe('hop')
    expect(res.headers.get('x-kept')).toBe('for the caller')
    expect(res.headers.get('x-hop-secret')).toBeNull()
  })

  it('so do those named in a second Connection header line (the upstream client gives an array)', async () => {
    const res = await fetch(`${g.url}${PATH}/hop2`)
    expect([res.status, await res.text()]).toEqual([200, 'hop'])
    expect(res.headers.get('x-kept')).toBe('for the caller')
    expect(res.headers.get('x-hop-secret')).toBeNull()
  })
})
