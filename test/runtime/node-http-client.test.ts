/**
 * @module
 * The guarantees of the Node HttpClient (src/http/client.ts) against real servers on loopback: bodies
 * streamed both ways, connections kept alive, no decompression, no redirects followed, bodiless
 * statuses, transport errors that say whether anything was sent, aborts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../src/http/client.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { freePort } from '../harness/free-port.ts'

const client = createNodeHttpClient()
const servers: Array<ReturnType<typeof createServer>> = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})
afterAll(() => client.close())

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const get = (url: string, headers: Record<string, string> = {}) =>
  client(url, { method: 'GET', headers: new Headers(headers), body: null })

describe('Node HttpClient', () => {
  it('streams the request body out and the response body back while both are still open', async () => {
    // The server echoes each chunk as it arrives; the client sends its second chunk only after it has
    // read the echo of the first. Buffering either way would deadlock and time out.
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      req.on('data', (chunk: Buffer) => res.write(chunk))
      req.on('end', () => res.end())
    })
    const encoder = new TextEncoder()
    let send: ReadableStreamDefaultController<Uint8Array> | undefined
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = controller
      },
    })
    send?.enqueue(encoder.encode('first;'))
    const response = await client(`${url}/echo`, { method: 'POST', headers: new Headers(), body })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('first;')
    send?.enqueue(encoder.encode('second'))
    send?.close()
    let rest = ''
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value)
    expect(rest).toBe('second')
  })

  it('sends the path exactly as given, and reuses one connection for calls in a row', async () => {
    const seen: Array<{ url: string | undefined; port: number | undefined }> = []
    const url = await serve((req, res) => {
      seen.push({ url: req.url, port: req.socket.remotePort })
      res.end('ok')
    })
    for (let i = 0; i < 3; i++) {
      expect(await (await get(`${url}/a/%7e/b?x=1&y=%2F`)).text()).toBe('ok')
      // undici checks an idle socket for a pending close until the next check phase before reusing it
      // (GHSA-35p6-xmwp-9g52); a call sent in the same tick would open a second connection.
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(seen.map((s) => s.url)).toEqual(Array(3).fill('/a/%7e/b?x=1&y=%2F'))
    expect(new Set(seen.map((s) => s.port)).size).toBe(1)
  })

  it('leaves a gzip body compressed and labelled, and does not follow a redirect', async () => {
    const zipped = gzipSync('hello')
    const url = await serve((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' })
        return res.end()
      }
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': zipped.length })
      res.end(zipped)
    })
    const response = await get(`${url}/zip`, { 'accept-encoding': 'gzip' })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    expect(Buffer.from(await response.arrayBuffer()).equals(zipped)).toBe(true)
    const moved = await get(`${url}/moved`)
    expect([moved.status, moved.headers.get('location')]).toEqual([302, '/elsewhere'])
  })

  it('answers HEAD and 204 without a body, and streams a large body of unknown length', async () => {
    const big = Buffer.alloc(256 * 1024, 7)
    const url = await serve((req, res) => {
      if (req.url === '/none') {
        res.writeHead(204)
        return res.end()
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(req.method === 'HEAD' ? undefined : big)
    })
    expect((await get(`${url}/none`)).body).toBeNull()
    const head = await client(`${url}/big`, { method: 'HEAD', headers: new Headers(), body: null })
    expect(head.body).toBeNull()
    const response = await get(`${url}/big`)
    expect(response.headers.get('transfer-encoding')).toBe('chunked')
    expect(Buffer.from(await response.arrayBuffer()).equals(big)).toBe(true)
  })

  it('frames a streamed DELETE body, which node:http would otherwise send unframed', async () => {
    const url = await serve((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => res.end(`${req.method}:${body}`))
    })
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('gone'))
        c.close()
      },
    })
    const response = await client(`${url}/x`, { method: 'DELETE', headers: new Headers(), body })
    expect(await response.text()).toBe('DELETE:gone')
  })

  it('rejects with HttpTransportError: beforeSend when refused, not when the server dropped the request', async () => {
    const refused = await get(`http://127.0.0.1:${await freePort()}/`).catch((e: unknown) => e)
    expect(HttpTransportError.is(refused) && refused.beforeSend).toBe(true)
    const url = await serve((req) => req.socket.destroy())
    const dropped = await get(`${url}/`).catch((e: unknown) => e)
    expect(HttpTransportError.is(dropped)).toBe(true)
    expect((dropped as HttpTransportError).beforeSend).toBe(false)
  })

  it("rejects with the signal's reason when aborted before the answer", async () => {
    const url = await serve(() => {})
    const controller = new AbortController()
    const pending = client(`${url}/slow`, {
      method: 'GET',
      headers: new Headers(),
      body: null,
      signal: controller.signal,
    })
    const reason = new Error('caller went away')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
  })
})
