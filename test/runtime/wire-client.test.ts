/**
 * @module
 * What only the wire client (src/runtime/node/wire/) decides, on real loopback sockets: the server's
 * Keep-Alive timeout shortening the idle limit, bytes on an idle connection, Transfer-Encoding over
 * Content-Length, HEAD, cancelling a call that waits for a connection, and close(). (The connect
 * timeout is not tested here: this sandbox answers connections to any address, so nothing hangs.)
 * The behaviour both clients share is in test/conformance/upstream.suite.ts.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../src/http/client.ts'
import { CallControl } from '../../src/invoke/call-control.ts'
import { createUndiciUpstream } from '../../src/runtime/node/undici-upstream.ts'
import type { UpstreamClient } from '../../src/runtime/node/upstream.ts'
import { createWireClient, type WireClientOptions } from '../../src/runtime/node/wire/client/wire-client.ts'
import { readBody } from '../conformance/upstream.suite.ts'
import { pollUntil } from '../harness/poll.ts'
import { answerWith, type ScriptedUpstream, scriptedUpstream } from '../harness/scripted-upstream.ts'

const clients: UpstreamClient[] = []
const servers: ScriptedUpstream[] = []
function client(options?: WireClientOptions): UpstreamClient {
  const made = createWireClient(options)
  clients.push(made)
  return made
}
async function upstream(answer: Parameters<typeof scriptedUpstream>[0]): Promise<ScriptedUpstream> {
  const server = await scriptedUpstream(answer)
  servers.push(server)
  return server
}
afterEach(async () => {
  for (const made of clients.splice(0)) await made.close()
  for (const server of servers.splice(0)) await server.close()
})
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))
const get = (origin: string) => ({ origin, path: '/', method: 'GET', headers: [], body: null })

describe('wire client', () => {
  it("the server's Keep-Alive timeout (less 2 s) closes an idle connection before idleSocketMs", async () => {
    const server = await upstream((request) =>
      request.socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=3\r\nContent-Length: 2\r\n\r\nok'),
    )
    await readBody(await client({ idleSocketMs: 120_000 }).send(get(server.origin)))
    await pollUntil('the idle connection to close after ~1 s', async () => server.closed === 1, 10_000, 50)
  })

  it('bytes on an idle connection close it; the next call goes on a new one', async () => {
    const server = await upstream((request) => {
      request.socket.write(answerWith(200, 'ok'))
      if (request.connection === 1) setTimeout(() => request.socket.write('HTTP/1.1 200 OK\r\n'), 50)
    })
    const made = client()
    expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
    await pollUntil('the connection with stray bytes to close', async () => server.closed === 1, 5_000, 10)
    expect(await readBody(await made.send(get(server.origin)))).toBe('ok')
    expect(server.connections).toBe(2)
  })

  it('Transfer-Encoding wins over Content-Length: decoded body, no Content-Length handed on, no reuse', async () => {
    const server = await upstream((request) =>
      request.socket.write(
        'HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
      ),
    )
    const made = client()
    const head = await made.send(get(server.origin))
    expect(head.headers['content-length']).toBeUndefined()
    expect(await readBody(head)).toBe('ok')
    await nextTurn()
    await readBody(await made.send(get(server.origin)))
    expect(server.connections).toBe(2)
  })

  it('an answer to HEAD is not followed by a reused connection (as undici)', async () => {
    const server = await upstream((request) =>
      request.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'),
    )
    const made = client()
    await readBody(await made.send({ ...get(server.origin), method: 'HEAD' }))
    await nextTurn()
    await readBody(await made.send({ ...get(server.origin), method: 'HEAD' }))
    expect(server.connections).toBe(2)
  })

  it('a call cancelled while waiting for a connection rejects and is never sent; the queue goes on', async () => {
    const pending: Array<() => void> = []
    const server = await upstream((request) =>
      pending.push(() => request.socket.write(answerWith(200, 'ok'))),
    )
    const made = client({ connectionsPerOrigin: 1 })
    const first = made.send(get(server.origin))
    const control = new CallControl()
    const second = made.send({ ...get(server.origin), headers: ['x-n', '2'] }, control)
    const third = made.send({ ...get(server.origin), headers: ['x-n', '3'] })
    control.abort(new Error('gave up'))
    await expect(second).rejects.toThrow(/gave up/)
    await pollUntil('the first request', async () => pending.length === 1, 5_000, 5)
    pending.shift()!()
    expect(await readBody(await first)).toBe('ok')
    await pollUntil('the third request', async () => pending.length === 1, 5_000, 5)
    pending.shift()!()
    expect(await readBody(await third)).toBe('ok')
    expect(server.requests.map((r) => /x-n: (\d)/.exec(r.head)?.[1])).toEqual([undefined, '3'])
  })

  it('close() refuses calls waiting for a connection (beforeSend) and closes idle connections', async () => {
    const pending: Array<() => void> = []
    const server = await upstream((request) =>
      pending.push(() => request.socket.write(answerWith(200, 'ok'))),
    )
    const made = createWireClient({ connectionsPerOrigin: 1 })
    const first = made.send(get(server.origin))
    const waiting = made.send(get(server.origin))
    await pollUntil('the first request', async () => pending.length === 1, 5_000, 5)
    await made.close()
    const error = await waiting.then(
      () => null,
      (e: unknown) => e,
    )
    expect(HttpTransportError.is(error) && error.beforeSend).toBe(true)
    pending.shift()!()
    expect(await readBody(await first)).toBe('ok') // a call in flight finishes
    await pollUntil('its connection to close', async () => server.closed === 1, 5_000, 5)
    await expect(made.send(get(server.origin))).rejects.toSatisfy(
      (e: unknown) => HttpTransportError.is(e) && e.beforeSend,
    )
  })

  it('300 calls of mixed good and broken answers through 4 connections all settle, none crosses into another', async () => {
    const kinds = ['length', 'chunked', 'close', 'reset', 'malformed', 'extra', 'cut'] as const
    const server = await upstream((request) => {
      const [, kind, n] = /x-kind: (\w+)\r\nx-n: (\d+)/.exec(request.head) ?? []
      const socket = request.socket
      if (kind === 'length') socket.write(answerWith(200, `n${n}`))
      else if (kind === 'chunked')
        socket.write(
          `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nn\r\n${n!.length.toString(16)}\r\n${n}\r\n0\r\n\r\n`,
        )
      else if (kind === 'close') socket.end(`HTTP/1.1 200 OK\r\n\r\nn${n}`)
      else if (kind === 'reset') socket.resetAndDestroy()
      else if (kind === 'malformed') socket.write(`HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\nx`)
      else if (kind === 'extra')
        socket.write(`${answerWith(200, `n${n}`)}HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong`)
      else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nn')
    })
    const made = client({ connectionsPerOrigin: 4 })
    let next = 0
    const outcomes: string[] = []
    async function worker(): Promise<void> {
      while (next < 300) {
        const n = next++
        const kind = kinds[(n * 7 + (n >> 3)) % kinds.length]!
        const outcome = await made
          .send({ ...get(server.origin), headers: ['x-kind', kind, 'x-n', String(n)] })
          .then(readBody)
          .then(
            (body) => (body === `n${n}` ? 'ok' : `WRONG ${kind} ${n}: ${body}`),
            (error: unknown) =>
              HttpTransportError.is(error) ? 'failed' : `NOT A TRANSPORT ERROR ${String(error)}`,
          )
        const good = kind === 'length' || kind === 'chunked' || kind === 'close' || kind === 'extra'
        outcomes.push(good ? outcome : outcome === 'failed' ? 'ok' : `SHOULD FAIL ${kind} ${n}: ${outcome}`)
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([])
    expect(outcomes).toHaveLength(300)
    expect(server.connections - server.closed).toBeLessThanOrEqual(4)
  })

  it('an idle pooled connection does not keep the process alive', async () => {
    const server = await upstream((request) => request.socket.write(answerWith(200, 'ok')))
    const module = fileURLToPath(
      new URL('../../src/runtime/node/wire/client/wire-client.ts', import.meta.url),
    )
    // One call with a 60 s idle limit, then nothing: the process must end on its own, well before.
    const script = `
      import { createWireClient } from ${JSON.stringify(module)}
      const head = await createWireClient({ idleSocketMs: 60_000 }).send({ origin: ${JSON.stringify(server.origin)}, path: '/', method: 'GET', headers: [], body: null })
      head.body.consume({ data: () => true, end: () => console.log('answered'), error: (e) => console.log(String(e)) })
    `
    const started = Date.now()
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 20_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    )
    expect(output.trim()).toBe('answered')
    expect(Date.now() - started).toBeLessThan(20_000) // execFile kills it at 20 s otherwise
    expect(server.connections).toBe(1)
  })

  it('random valid responses: the wire client reads what undici reads (status, reason, headers, body)', async () => {
    let next = Buffer.alloc(0)
    const server = await upstream((request) => request.socket.write(next))
    const wire = client()
    const undici = createUndiciUpstream()
    const token = fc.constantFrom(
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&*+^`|~'.split(''),
    )
    const value = fc
      .array(
        fc.oneof(
          fc.integer({ min: 0x21, max: 0x7e }),
          fc.integer({ min: 0x80, max: 0xff }),
          fc.constant(0x20),
        ),
        {
          maxLength: 20,
        },
      )
      .map((codes) => String.fromCharCode(...codes).trim())
    const response = fc.record({
      status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
      // ASCII reasons: undici decodes the reason as UTF-8 (a lone 0xE9 becomes U+FFFD, which a Web
      // Response refuses as statusText); the wire client keeps Latin-1, as node:http does.
      reason: fc.string({ unit: fc.constantFrom('O', 'K', ' ', 'x'), maxLength: 6 }).map((r) => r.trim()),
      headers: fc.array(
        fc.tuple(
          fc.string({ unit: token, minLength: 1, maxLength: 10 }).map((n) => `x-${n}`),
          value,
        ),
        {
          maxLength: 6,
        },
      ),
      body: fc.uint8Array({ maxLength: 200 }),
      chunked: fc.boolean(),
    })
    try {
      await fc.assert(
        fc.asyncProperty(response, async ({ status, reason, headers, body, chunked }) => {
          let head = `HTTP/1.1 ${status} ${reason}\r\n`
          for (const [name, v] of headers) head += `${name}: ${v}\r\n`
          const data =
            body.byteLength > 0
              ? [Buffer.from(`${body.byteLength.toString(16)}\r\n`), body, Buffer.from('\r\n')]
              : []
          next = chunked
            ? Buffer.concat([
                Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, 'latin1'),
                ...data,
                Buffer.from('0\r\n\r\n'),
              ])
            : Buffer.concat([
                Buffer.from(`${head}Content-Length: ${body.byteLength}\r\n\r\n`, 'latin1'),
                body,
              ])
          const read = async (made: UpstreamClient) => {
            const answer = await made.send(get(server.origin))
            const text = await readBody(answer)
            return {
              status: answer.status,
              statusText: answer.statusText,
              headers: { ...answer.headers },
              text,
            }
          }
          const [a, b] = [await read(wire), await read(undici)]
          expect(a).toEqual(b)
        }),
        { numRuns: 60 },
      )
    } finally {
      await undici.close()
    }
  })
})
