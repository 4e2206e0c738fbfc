/**
 * @module
 * The pooled upstream client (src/runtime/node/upstream.ts) against real sockets on loopback: what a
 * failure says about how far the call got (beforeSend, responseStarted), which failover depends on;
 * bodies passed through with backpressure; discarding an answer.
 */
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../src/http/client.ts'
import { createUpstreamClient } from '../../src/runtime/node/upstream.ts'
import { freePort } from '../harness/free-port.ts'

const upstream = createUpstreamClient()
const servers: Array<{ close(cb: () => void): void; closeAllConnections?: () => void }> = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})
afterAll(() => upstream.close())

/** A raw TCP server that does `onData` with each connection once the request arrives. */
async function rawServer(onRequest: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => onRequest(socket))
  })
  servers.push({
    close: (cb) => {
      for (const s of sockets) s.destroy()
      server.close(cb)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function failure(origin: string, method = 'POST'): Promise<HttpTransportError> {
  const error = await upstream
    .send({ origin, path: '/', method, headers: ['content-length', '2'], body: Buffer.from('hi') })
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(HttpTransportError.is(error)).toBe(true)
  return error as HttpTransportError
}

describe('upstream client failures', () => {
  it('a refused connection is beforeSend, with no response byte', async () => {
    const error = await failure(`http://127.0.0.1:${await freePort()}`)
    expect([error.beforeSend, error.responseStarted]).toEqual([true, false])
  })

  it('a connection reset after the request arrived, before any answer, is neither', async () => {
    const origin = await rawServer((socket) => socket.resetAndDestroy())
    const error = await failure(origin)
    expect([error.beforeSend, error.responseStarted]).toEqual([false, false])
  })

  it('a connection closed after part of a response head says a response had started', async () => {
    const origin = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Ty'))
    const error = await failure(origin)
    expect([error.beforeSend, error.responseStarted]).toEqual([false, true])
  })
})

describe('upstream client bodies', () => {
  it('hands the head over before the body ends, and the body as it arrives', async () => {
    let finish: (() => void) | undefined
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'x-one': 'a' })
      res.write('first;')
      finish = () => res.end('last')
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const head = await upstream.send({ origin, path: '/', method: 'GET', headers: [], body: null })
    expect([head.status, head.headers['x-one']]).toEqual([200, 'a'])
    const chunks: string[] = []
    const ended = new Promise<void>((resolve, reject) =>
      head.body.consume({
        data(chunk) {
          chunks.push(chunk.toString())
          if (chunks.length === 1) finish?.()
          return true
        },
        end: resolve,
        error: reject,
      }),
    )
    await ended
    expect(chunks.join('')).toBe('first;last')
  })
})
