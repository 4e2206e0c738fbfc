/**
 * `/async-function` at the edge: what is refused before anything is queued (unknown function, oversize
 * body, callback URLs that would let callers reach internal addresses), call status and cancellation.
 * The worker is off here so calls stay queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

let g: TestGateway
let auth: Record<string, string>

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_WORKER: 'false', EDGEFAAS_ASYNC_MAX_BODY_BYTES: '1000' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'sink', image: 'x', envProcess: 'cat' }),
  })
  expect(res.status).toBe(202)
})
afterAll(() => g.close())

const submit = (path: string, init: RequestInit = {}) =>
  fetch(`${g.url}/async-function/${path}`, { method: 'POST', ...init })

describe('/async-function', () => {
  it('answers 202 with X-Call-Id and X-Start-Time, and the call is queued', async () => {
    const res = await submit('sink.openfaas-fn/sub/path?x=1', { body: 'hello' })
    expect(res.status).toBe(202)
    const id = res.headers.get('x-call-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-start-time')).toMatch(/^\d{19}$/)
    const call = await (await fetch(`${g.url}/system/calls/${id}`, { headers: auth })).json()
    expect(call).toMatchObject({
      id,
      function: 'sink',
      namespace: 'openfaas-fn',
      queue: 'default',
      status: 'queued',
      attempts: 0,
    })
  })

  it('keeps a caller-supplied X-Call-Id, and refuses to reuse one', async () => {
    const first = await submit('sink', { headers: { 'X-Call-Id': 'my-call-1' } })
    expect(first.headers.get('x-call-id')).toBe('my-call-1')
    const again = await submit('sink', { headers: { 'X-Call-Id': 'my-call-1' } })
    expect(again.status).toBe(409)
  })

  it('404 for an unknown function (OpenFaaS CE would queue it)', async () => {
    expect((await submit('ghost')).status).toBe(404)
    expect((await submit('.openfaas-fn')).status).toBe(404)
  })

  it('413 for a body over the limit', async () => {
    const res = await submit('sink', { body: 'x'.repeat(1001) })
    expect(res.status).toBe(413)
  })

  it.each([
    'http://127.0.0.1:9000/cb',
    'http://10.0.0.1/cb',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/cb',
    'http://[::127.0.0.1]:9000/cb',
    'http://[::7f00:1]:9000/cb',
    'http://localhost:9000/cb',
    'ftp://example.com/',
    'not-a-url',
  ])('400 for the callback URL %s', async (url) => {
    const res = await submit('sink', { headers: { 'X-Callback-Url': url } })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/X-Callback-Url/)
  })

  it('only POST', async () => {
    expect((await fetch(`${g.url}/async-function/sink`, { method: 'GET' })).status).toBe(405)
  })

  it('DELETE /async-function/<call-id> cancels a queued call (admin only)', async () => {
    const id = (await submit('sink')).headers.get('x-call-id')
    expect((await fetch(`${g.url}/async-function/${id}`, { method: 'DELETE' })).status).toBe(401)
    expect((await fetch(`${g.url}/async-function/${id}`, { method: 'DELETE', headers: auth })).status).toBe(
      202,
    )
    const call = (await (await fetch(`${g.url}/system/calls/${id}`, { headers: auth })).json()) as {
      status: string
    }
    expect(call.status).toBe('cancelled')
    expect((await fetch(`${g.url}/async-function/${id}`, { method: 'DELETE', headers: auth })).status).toBe(
      409,
    )
    expect(
      (await fetch(`${g.url}/async-function/unknown-id`, { method: 'DELETE', headers: auth })).status,
    ).toBe(404)
  })

  it('call status and dead letters need credentials; unknown ids are 404', async () => {
    expect((await fetch(`${g.url}/system/calls/x`)).status).toBe(401)
    expect((await fetch(`${g.url}/system/calls/x`, { headers: auth })).status).toBe(404)
    expect((await fetch(`${g.url}/system/dead-letters`, { headers: auth })).status).toBe(200)
    expect((await fetch(`${g.url}/system/dead-letters?limit=0`, { headers: auth })).status).toBe(400)
    expect((await fetch(`${g.url}/system/dead-letters?after=garbage`, { headers: auth })).status).toBe(400)
    expect(
      (await fetch(`${g.url}/system/dead-letters/x/replay`, { method: 'POST', headers: auth })).status,
    ).toBe(404)
  })

  it('lists recent calls, filtered by function and status, paged; bad filters are 400', async () => {
    const submitted: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await submit('sink', { body: `listed ${i}` })
      submitted.push(res.headers.get('x-call-id') ?? '')
    }
    type Page = { items: Array<{ id: string }>; next: string | null }
    const list = (query: string) => fetch(`${g.url}/system/calls${query}`, { headers: auth })
    expect((await list('')).status).toBe(200)
    const first = (await (await list('?function=sink&status=queued&limit=2')).json()) as Page
    expect(first.items).toHaveLength(2)
    expect(first.items[0]).toMatchObject({
      id: submitted[2],
      function: 'sink',
      namespace: 'openfaas-fn',
      status: 'queued',
      attempts: 0,
    })
    expect(first.next).toEqual(expect.any(String))
    const second = (await (
      await list(`?function=sink&status=queued&limit=2&after=${first.next}`)
    ).json()) as Page
    expect(second.items[0]?.id).toBe(submitted[0])
    expect(((await (await list('?function=ghost')).json()) as Page).items).toEqual([])
    expect((await list('?status=lost')).status).toBe(400)
    expect(await (await list('?status=lost')).text()).toMatch(/status must be one of queued, running/)
    expect((await list('?limit=0')).status).toBe(400)
    expect((await list('?after=garbage')).status).toBe(400)
    expect((await fetch(`${g.url}/system/calls`)).status).toBe(401)
    expect((await fetch(`${g.url}/system/calls`, { method: 'POST', headers: auth })).status).toBe(405)
  })

  it('a private callback is accepted when allow-listed', async () => {
    const allowed = await startTestGateway({
      EDGEFAAS_WORKER: 'false',
      EDGEFAAS_CALLBACK_ALLOW: '127.0.0.0/8,localhost',
    })
    try {
      const h = { authorization: `Basic ${btoa(`${allowed.user}:${allowed.password}`)}` }
      await fetch(`${allowed.url}/system/functions`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'sink', image: 'x', envProcess: 'cat' }),
      })
      for (const url of ['http://127.0.0.1:9000/cb', 'http://localhost:9000/cb']) {
        const res = await fetch(`${allowed.url}/async-function/sink`, {
          method: 'POST',
          headers: { 'X-Callback-Url': url },
        })
        expect(res.status, url).toBe(202)
      }
    } finally {
      await allowed.close()
    }
  })
})
