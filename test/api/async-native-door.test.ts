/**
 * Node takes `POST /async-function/*` on node:http's own objects (src/runtime/node/native-async.ts) when
 * the raw target is plain, and leaves other spellings to the app's route: both doors must answer alike,
 * and the native one must read bodies as carefully as the app does (a limit enforced while the body
 * streams, a caller who leaves mid-body queuing nothing).
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

let g: TestGateway
let auth: Record<string, string>
let port: number

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_WORKER: 'false', EDGEFAAS_ASYNC_MAX_BODY_BYTES: '1000' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
  port = Number(new URL(g.url).port)
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'door', image: 'x', envProcess: 'cat' }),
  })
  expect(res.status).toBe(202)
})
afterAll(() => g.close())

/** The native door takes the first spelling; the quote in the second sends it through the app's route. */
const DOORS = { native: '/async-function/door?x=1', app: "/async-function/door?x='1'" }

async function queuedCount(): Promise<number> {
  const res = await fetch(`${g.url}/system/calls?function=door&status=queued&limit=1000`, { headers: auth })
  return ((await res.json()) as { items: unknown[] }).items.length
}

/** Sends `head` and `parts` on a raw socket; resolves with everything the gateway wrote before closing. */
function rawUntilClosed(head: string, parts: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the connection stayed open; received: ${received}`))
    }, timeoutMs)
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(received)
    })
    socket.write(head)
    for (const part of parts) socket.write(part)
  })
}

describe('POST /async-function on the native door', () => {
  it('answers as the app route does: 202 with the same headers, and the call queued with its query', async () => {
    const answers: Record<string, Response> = {}
    for (const [door, path] of Object.entries(DOORS)) {
      answers[door] = await fetch(`${g.url}${path}`, { method: 'POST', body: 'hi' })
    }
    const native = answers.native as Response
    const app = answers.app as Response
    expect(native.status).toBe(202)
    expect(app.status).toBe(202)
    const names = (res: Response) => [...res.headers.keys()].filter((n) => n !== 'date').sort()
    expect(names(native)).toEqual(names(app))
    expect(native.headers.get('x-start-time')).toMatch(/^\d+000000$/)
    const call = await fetch(`${g.url}/system/calls/${native.headers.get('x-call-id')}`, { headers: auth })
    expect(await call.json()).toMatchObject({ function: 'door', status: 'queued' })
  })

  it.each([
    ['an unknown function', '/async-function/ghost', {}, 404],
    ['a duplicate X-Call-Id', '/async-function/door', { 'x-call-id': 'door-dup' }, 409],
    ['a bad X-Call-Id', '/async-function/door', { 'x-call-id': 'x'.repeat(129) }, 400],
    ['an X-Call-Id with a path separator', '/async-function/door', { 'x-call-id': '../../evil' }, 400],
    ['an X-Call-Id with a backslash', '/async-function/door', { 'x-call-id': 'a\\b' }, 400],
    ['a private callback', '/async-function/door', { 'x-callback-url': 'http://10.0.0.1/' }, 400],
  ])('refuses %s with the status and text the app route gives', async (_what, path, headers, status) => {
    await fetch(`${g.url}/async-function/door`, { method: 'POST', headers: { 'x-call-id': 'door-dup' } })
    const native = await fetch(`${g.url}${path}`, { method: 'POST', headers, body: 'x' })
    const app = await fetch(`${g.url}${path}?q='1'`, { method: 'POST', headers, body: 'x' })
    expect(native.status).toBe(status)
    expect(app.status).toBe(status)
    expect(await native.text()).toBe(await app.text())
    expect(native.headers.get('content-type')).toBe(app.headers.get('content-type'))
  })

  it('413 for a chunked body that grows past the limit, and the connection is closed', async () => {
    const before = await queuedCount()
    const chunk = 'x'.repeat(600)
    const answer = await rawUntilClosed(
      'POST /async-function/door HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n',
      // Two chunks over the limit, and then the caller would keep going: the gateway must not wait for it.
      [`258\r\n${chunk}\r\n`, `258\r\n${chunk}\r\n`],
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(answer).toMatch(/larger than the limit of 1000 bytes/)
    expect(await queuedCount()).toBe(before)
  })

  it('413 from the declared length without reading the body', async () => {
    const res = await fetch(`${g.url}/async-function/door`, { method: 'POST', body: 'x'.repeat(1001) })
    expect(res.status).toBe(413)
  })

  it('a caller who leaves mid-body queues nothing, and the gateway goes on serving', async () => {
    const before = await queuedCount()
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /async-function/door HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\npartial',
          () => socket.destroy(),
        )
      })
      socket.on('error', () => undefined)
      socket.on('close', () => resolve())
    })
    const next = await fetch(`${g.url}/async-function/door`, { method: 'POST', body: 'after' })
    expect(next.status).toBe(202)
    expect(await queuedCount()).toBe(before + 1)
  })
})
