/**
 * @module
 * The UpstreamClient contract (src/runtime/node/upstream.ts), run against each implementation — the
 * wire client on node:net and the undici Agent — over real loopback sockets: what a failure says about
 * how far the call got (beforeSend, responseStarted: failover depends on it), framing, keep-alive
 * reuse and when a connection must not be reused, bodies with backpressure, discard and cancellation,
 * and requests that must be refused before a byte is sent (header injection).
 */
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../src/http/client.ts'
import { CallControl } from '../../src/invoke/call-control.ts'
import type {
  BodySink,
  UpstreamClient,
  UpstreamHead,
  UpstreamOptions,
  UpstreamRequest,
} from '../../src/runtime/node/upstream.ts'
import { freePort } from '../harness/free-port.ts'
import { pollUntil } from '../harness/poll.ts'
import { answerWith, type ScriptedUpstream, scriptedUpstream } from '../harness/scripted-upstream.ts'

/** One event-loop turn (a check phase): when a released keep-alive connection becomes reusable. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export type MakeUpstream = (options?: UpstreamOptions) => UpstreamClient

/** Reads a whole body; rejects with the sink's error. */
export function readBody(head: UpstreamHead): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    head.body.consume({
      data(chunk) {
        chunks.push(Buffer.from(chunk))
        return true
      },
      end: () => resolve(Buffer.concat(chunks).toString('latin1')),
      error: reject,
    })
  })
}

function get(origin: string, over: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { origin, path: '/', method: 'GET', headers: [], body: null, ...over }
}

async function transportFailure(promise: Promise<unknown>): Promise<HttpTransportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(HttpTransportError.is(error), `expected an HttpTransportError, got ${String(error)}`).toBe(true)
  return error as HttpTransportError
}

export function runUpstreamSuite(name: string, make: MakeUpstream): void {
  describe(`UpstreamClient contract: ${name}`, () => {
    const clients: UpstreamClient[] = []
    const servers: ScriptedUpstream[] = []
    const client = (options?: UpstreamOptions) => {
      const made = make(options)
      clients.push(made)
      return made
    }
    const upstream = async (answer: Parameters<typeof scriptedUpstream>[0]) => {
      const server = await scriptedUpstream(answer)
      servers.push(server)
      return server
    }
    afterEach(async () => {
      for (const made of clients.splice(0)) await made.close()
      for (const server of servers.splice(0)) await server.close()
    })

    describe('failures say how far the call got', () => {
      it('a refused connection is beforeSend, with no response byte', async () => {
        const error = await transportFailure(
          client().send(
            get(`http://127.0.0.1:${await freePort()}`, { method: 'POST', body: Buffer.from('hi') }),
          ),
        )
        expect([error.beforeSend, error.responseStarted]).toEqual([true, false])
      })

      it('a connection reset after the request arrived, before any answer, is neither', async () => {
        const server = await upstream((request) => request.socket.resetAndDestroy())
        const error = await transportFailure(
          client().send(get(server.origin, { method: 'POST', body: 'hi' })),
        )
        expect([error.beforeSend, error.responseStarted]).toEqual([false, false])
      })

      it('a connection closed with no answer is neither', async () => {
        const server = await upstream((request) => request.socket.end())
        const error = await transportFailure(client().send(get(server.origin)))
        expect([error.beforeSend, error.responseStarted]).toEqual([false, false])
      })

      it('a connection closed after part of a response head says a response had started', async () => {
        const server = await upstream((request) => request.socket.end('HTTP/1.1 200 OK\r\nContent-Ty'))
        const error = await transportFailure(
          client().send(get(server.origin, { method: 'POST', body: 'hi' })),
        )
        expect([error.beforeSend, error.responseStarted]).toEqual([false, true])
      })

      it('a malformed head is a transport error after a response started, and the connection is not reused', async () => {
        let calls = 0
        const server = await upstream((request) => {
          calls++
          request.socket.write(
            calls === 1
              ? 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n'
              : answerWith(200, 'ok'),
          )
        })
        const made = client()
        const error = await transportFailure(made.send(get(server.origin)))
        expect([error.beforeSend, error.responseStarted]).toEqual([false, true])
        expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
        expect(server.connections).toBe(2)
      })

      it('a body cut short errors the sink (the head was already handed over)', async () => {
        const server = await upstream((request) =>
          request.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
        )
        const head = await client().send(get(server.origin))
        await expect(readBody(head)).rejects.toBeInstanceOf(Error)
      })
    })

    describe('requests refused before anything is sent', () => {
      it.each([
        ['a header name with a space', ['x bad', 'v']],
        ['a header name with a colon', ['x:bad', 'v']],
        ['CRLF in a value (header injection)', ['x-a', 'v\r\nx-injected: 1']],
        ['LF in a value', ['x-a', 'v\nx-injected: 1']],
        ['NUL in a value', ['x-a', 'v\0']],
        ['a transfer-encoding header', ['transfer-encoding', 'chunked']],
        ['an upgrade header', ['upgrade', 'websocket']],
        ['a content-length that is not the body', ['content-length', '7']],
      ])('%s', async (_what, headers) => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const error = await transportFailure(
          client().send(get(server.origin, { method: 'POST', headers, body: Buffer.from('hi') })),
        )
        expect(error.beforeSend).toBe(true)
        expect(server.requests).toHaveLength(0)
      })

      it('CRLF in the path', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const error = await transportFailure(
          client().send(get(server.origin, { path: '/a\r\nx-injected: 1' })),
        )
        expect(error.beforeSend).toBe(true)
        expect(server.requests).toHaveLength(0)
      })
    })

    describe('the request on the wire', () => {
      it('host is the origin unless given; content-length for a body and for a bodiless POST; headers as given', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const made = client()
        await readBody(
          await made.send(get(server.origin, { headers: ['X-Case', 'Kept', 'x-two', 'a', 'x-two', 'b'] })),
        )
        await readBody(await made.send(get(server.origin, { method: 'POST' })))
        await readBody(
          await made.send(
            get(server.origin, { method: 'PUT', headers: ['host', 'fn.example'], body: 'héllo' }),
          ),
        )
        const [first, second, third] = server.requests.map((r) => r.head.split('\r\n'))
        expect(first![0]).toBe('GET / HTTP/1.1')
        expect(first).toContain(`host: 127.0.0.1:${server.port}`)
        expect(first).toEqual(expect.arrayContaining(['X-Case: Kept', 'x-two: a', 'x-two: b']))
        expect(first!.some((line) => /^content-length:/i.test(line))).toBe(false)
        expect(second).toContain('content-length: 0')
        expect(third).toContain('host: fn.example')
        expect(third).toContain(`content-length: ${Buffer.byteLength('héllo')}`)
        expect(server.requests[2]!.body.toString()).toBe('héllo')
      })
    })

    describe('responses', () => {
      it('status, reason, lower-case names, a repeated header as an array', async () => {
        const server = await upstream((request) =>
          request.socket.write(
            'HTTP/1.1 201 Made It\r\nX-One: a\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nhi',
          ),
        )
        const head = await client().send(get(server.origin))
        expect([head.status, head.statusText]).toEqual([201, 'Made It'])
        const headers: IncomingHttpHeaders = { ...head.headers }
        expect(headers).toMatchObject({ 'x-one': 'a', 'set-cookie': ['a=1', 'b=2'], 'content-length': '2' })
        expect(await readBody(head)).toBe('hi')
      })

      it('a chunked body arrives decoded, trailers dropped', async () => {
        const server = await upstream((request) =>
          request.socket.write(
            'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n',
          ),
        )
        const head = await client().send(get(server.origin))
        expect(await readBody(head)).toBe('hello world')
      })

      it('a 103 Early Hints before the answer is skipped', async () => {
        const server = await upstream((request) =>
          request.socket.write(`HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${answerWith(200, 'ok')}`),
        )
        const head = await client().send(get(server.origin))
        expect([head.status, await readBody(head)]).toEqual([200, 'ok'])
      })

      it('a body read until the connection closes', async () => {
        const server = await upstream((request) => request.socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end'))
        expect(await readBody(await client().send(get(server.origin)))).toBe('until the end')
      })

      it('204, 304 and answers to HEAD end with no body', async () => {
        const server = await upstream((request) => {
          if (request.head.startsWith('HEAD'))
            request.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n')
          else if (request.head.includes('x-status: 304'))
            request.socket.write('HTTP/1.1 304 Not Modified\r\nETag: "e"\r\n\r\n')
          else request.socket.write('HTTP/1.1 204 No Content\r\n\r\n')
        })
        const made = client()
        expect(await readBody(await made.send(get(server.origin, { method: 'HEAD' })))).toBe('')
        expect(await readBody(await made.send(get(server.origin)))).toBe('')
        expect(await readBody(await made.send(get(server.origin, { headers: ['x-status', '304'] })))).toBe('')
      })

      it('hands the head over before the body ends, and the body as it arrives', async () => {
        let finish: (() => void) | undefined
        const server = createHttpServer((_req, res) => {
          res.writeHead(200, { 'x-one': 'a' })
          res.write('first;')
          finish = () => res.end('last')
        })
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
        try {
          const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
          const made = client()
          const head = await made.send(get(origin))
          expect([head.status, head.headers['x-one']]).toEqual([200, 'a'])
          const chunks: string[] = []
          await new Promise<void>((resolve, reject) =>
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
          expect(chunks.join('')).toBe('first;last')
        } finally {
          server.closeAllConnections()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
      })
    })

    describe('keep-alive', () => {
      it('calls one after another share one connection', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const made = client()
        for (let i = 0; i < 5; i++) {
          expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
          await nextTurn() // a released connection is reusable one event-loop turn later (both clients)
        }
        expect(server.connections).toBe(1)
      })

      it.each([
        ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'],
        ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'],
        [
          'Keep-Alive: timeout=1 (under the 2 s margin)',
          'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok',
        ],
        ['bytes after the framed body', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'],
        ['Content-Length on a 204', 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n'],
      ])('not reused after %s', async (_what, raw) => {
        const server = await upstream((request) => request.socket.write(raw))
        const made = client()
        await readBody(await made.send(get(server.origin)))
        await nextTurn()
        await readBody(await made.send(get(server.origin)))
        expect(server.connections).toBe(2)
      })

      it('HTTP/1.0 with Connection: keep-alive is reused', async () => {
        const server = await upstream((request) =>
          request.socket.write('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'),
        )
        const made = client()
        await readBody(await made.send(get(server.origin)))
        await nextTurn()
        await readBody(await made.send(get(server.origin)))
        expect(server.connections).toBe(1)
      })

      it('a connection the server closed while idle is not used; the call goes on a new one', async () => {
        const server = await upstream((request) => request.socket.end(answerWith(200, 'ok')))
        const made = client()
        expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
        await pollUntil('the server to close', async () => server.closed === 1, 5_000, 5)
        expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
        expect(server.connections).toBe(2)
      })

      it('idle connections close after idleSocketMs', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const made = client({ idleSocketMs: 100 })
        await readBody(await made.send(get(server.origin)))
        await pollUntil('the idle connection to close', async () => server.closed === 1, 5_000, 20)
      })

      it('connectionsPerOrigin caps connections; calls wait their turn in order', async () => {
        const pending: Array<() => void> = []
        const server = await upstream((request) => {
          const n = /x-n: (\d+)/.exec(request.head)?.[1] ?? '?'
          pending.push(() => request.socket.write(answerWith(200, n)))
        })
        const made = client({ connectionsPerOrigin: 1 })
        const calls = [1, 2, 3].map((n) => made.send(get(server.origin, { headers: ['x-n', String(n)] })))
        const bodies: string[] = []
        for (let i = 0; i < 3; i++) {
          await pollUntil('a request to arrive', async () => pending.length > 0, 5_000, 5)
          pending.shift()!()
          bodies.push(await readBody(await calls[i]!))
        }
        expect(bodies).toEqual(['1', '2', '3'])
        expect(server.connections).toBe(1)
      })
    })

    describe('bodies, discard and cancellation', () => {
      it('backpressure: a sink that says stop gets nothing more until resume', async () => {
        // More than loopback's socket buffers hold, so the server's writes back up once the client stops.
        const size = 32 * 1024 * 1024
        const server = await upstream((request) =>
          request.socket.write(
            Buffer.concat([
              Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`),
              Buffer.alloc(size, 0x61),
            ]),
          ),
        )
        const head = await client().send(get(server.origin))
        let received = 0
        let afterStop = 0
        let stopped = false
        let stoppedOnce = false
        const ended = new Promise<void>((resolve, reject) => {
          const sink: BodySink = {
            data(chunk) {
              received += chunk.byteLength
              if (stopped) afterStop += chunk.byteLength
              if (!stoppedOnce && received > 64 * 1024) {
                stopped = true
                stoppedOnce = true
                return false
              }
              return true
            },
            end: resolve,
            error: reject,
          }
          head.body.consume(sink)
        })
        const serverSide = () => server.requests[0]?.socket
        await pollUntil(
          'the server to be held back',
          async () => (serverSide()?.writableLength ?? 0) > 0 && stopped,
          10_000,
          10,
        )
        expect(afterStop).toBe(0)
        stopped = false
        head.body.resume()
        await ended
        expect(received).toBe(size)
      })

      it('discarding a body mid-way closes the connection', async () => {
        const server = await upstream((request) =>
          request.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart'),
        )
        const made = client()
        const head = await made.send(get(server.origin))
        head.body.discard()
        await pollUntil('the connection to close', async () => server.closed === 1, 5_000, 5)
      })

      it('chunks that arrived before the consumer are delivered first', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'early bytes')))
        const head = await client().send(get(server.origin))
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(await readBody(head)).toBe('early bytes')
      })

      it('cancelling before the head rejects with the reason and closes the connection', async () => {
        const server = await upstream(() => {})
        const control = new CallControl()
        const sent = client().send(get(server.origin), control)
        await pollUntil('the request to arrive', async () => server.requests.length === 1, 5_000, 5)
        const reason = new Error('timed out')
        control.abort(reason)
        await expect(sent).rejects.toBe(reason)
        await pollUntil('the connection to close', async () => server.closed === 1, 5_000, 5)
      })

      it('cancelling after the head errors the body', async () => {
        const server = await upstream((request) =>
          request.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart'),
        )
        const control = new CallControl()
        const head = await client().send(get(server.origin), control)
        const body = readBody(head)
        control.abort(new Error('caller left'))
        await expect(body).rejects.toThrow(/caller left/)
        await pollUntil('the connection to close', async () => server.closed === 1, 5_000, 5)
      })

      it('an already cancelled call is not sent', async () => {
        const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
        const control = new CallControl()
        control.abort(new Error('gone'))
        await expect(client().send(get(server.origin), control)).rejects.toThrow(/gone/)
        expect(server.requests).toHaveLength(0)
      })
    })
  })
}
