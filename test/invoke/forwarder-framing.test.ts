/**
 * The replica proxy (providers/local/proxy.ts) frames each request by what it actually sends, whatever
 * the headers it is handed claim: against a real node:http upstream that records the raw bytes of every
 * connection, a body that disagrees with its Content-Length never leaves bytes on a kept-alive connection
 * for the next caller, and a request without a body never announces one.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Forwarder } from '../../providers/local/proxy.ts'
import type { InvocationRequest } from '../../providers/types.ts'

let server: http.Server
let port: number
let forwarder: Forwarder
const connections: string[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      res.end(
        JSON.stringify({
          url: req.url,
          length: req.headers['content-length'] ?? null,
          body: Buffer.concat(chunks).toString(),
        }),
      )
    })
  })
  server.on('connection', (socket: Socket) => {
    const index = connections.push('') - 1
    socket.on('data', (chunk: Buffer) => {
      connections[index] += chunk.toString('latin1')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})
afterEach(() => forwarder?.close())

function invocation(method: string, headers: Record<string, string>, body: string | null): InvocationRequest {
  return {
    method,
    headers: new Headers(headers),
    body:
      body === null
        ? null
        : new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(body))
              controller.close()
            },
          }),
    signal: new AbortController().signal,
  }
}

async function answer(
  response: Promise<Response>,
): Promise<{ url: string; length: string | null; body: string }> {
  const res = await response
  expect(res.status).toBe(200)
  return (await res.json()) as { url: string; length: string | null; body: string }
}

describe('Forwarder framing', () => {
  it.each([
    ['longer than', '3', 'abc-EXTRA'],
    ['shorter than', '10', 'abc'],
  ])(
    'a body %s its Content-Length is refused, and the next request on the pool is answered for itself',
    async (_, length, body) => {
      forwarder = new Forwarder()
      const warm = await answer(forwarder.forward(port, '/warm', invocation('GET', {}, null)))
      expect(warm.url).toBe('/warm')
      await expect(
        forwarder.forward(port, '/mismatch', invocation('POST', { 'content-length': length }, body)),
      ).rejects.toThrow(/Content-Length/)
      const next = await answer(
        forwarder.forward(port, '/next', invocation('POST', { 'content-length': '4' }, 'next')),
      )
      expect(next).toEqual({ url: '/next', length: '4', body: 'next' })
      expect(connections.join('')).not.toContain('EXTRA')
    },
  )

  it('GET and HEAD go without Content-Length and Transfer-Encoding, whatever the headers say', async () => {
    forwarder = new Forwarder()
    const before = connections.join('').length
    for (const method of ['GET', 'HEAD']) {
      const res = await forwarder.forward(
        port,
        '/bodyless',
        invocation(method, { 'content-length': '5', 'transfer-encoding': 'chunked' }, 'hello'),
      )
      await res.arrayBuffer()
      expect(res.status).toBe(200)
    }
    const sent = connections.join('').slice(before)
    expect(sent).toContain('GET /bodyless')
    expect(sent).toContain('HEAD /bodyless')
    expect(sent).not.toMatch(/content-length|transfer-encoding|hello/i)
  })

  it('a body without a length goes chunked, whatever the method', async () => {
    forwarder = new Forwarder()
    const res = await answer(forwarder.forward(port, '/delete', invocation('DELETE', {}, 'gone')))
    expect(res).toEqual({ url: '/delete', length: null, body: 'gone' })
  })
})
