/**
 * The relay between a worker process and the primary (src/runtime/node/cluster/forward.ts), in one
 * process over real loopback sockets: the internal listener takes only requests with the run's secret,
 * a caller cannot smuggle the forwarding headers in, and the real caller's address is what the primary
 * sees.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientAddress, forwardedClient } from '../../src/runtime/node/client-address.ts'
import {
  createForwarder,
  createInternalListener,
  FORWARD_CLIENT_HEADER,
  FORWARD_SECRET_HEADER,
} from '../../src/runtime/node/cluster/forward.ts'

const SECRET = 'a'.repeat(43)

interface Seen {
  headers: Record<string, string | string[] | undefined>
  raw: string[]
  client: string | undefined
  viaEnv: string | undefined
  body: string
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve((server.address() as AddressInfo).port)),
  )
}

function send(
  port: number,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
  localPort: number
}> {
  return new Promise((resolve, reject) => {
    let localPort = 0
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: body ? 'POST' : 'GET',
      headers,
      agent: false,
    })
    req.on('socket', (s) => s.once('connect', () => (localPort = s.localPort ?? 0)))
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers, localPort }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('cluster relay (forward.ts)', () => {
  const seen: Seen[] = []
  let internal: Server
  let worker: Server
  let internalPort: number
  let workerPort: number
  let closeForwarder: () => void

  beforeAll(async () => {
    internal = createInternalListener(SECRET, (req: IncomingMessage, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c: string) => {
        body += c
      })
      req.on('end', () => {
        seen.push({
          headers: { ...req.headers },
          raw: [...req.rawHeaders],
          client: forwardedClient(req),
          viaEnv: clientAddress(new Request('http://x/'), { incoming: req }),
          body,
        })
        res.writeHead(201, { 'x-answer': 'yes', connection: 'keep-alive' })
        res.end('relayed')
      })
    })
    internalPort = await listen(internal)
    const forwarder = createForwarder({ port: internalPort, secret: SECRET })
    closeForwarder = forwarder.close
    worker = createServer(forwarder.forward)
    workerPort = await listen(worker)
  })

  afterAll(async () => {
    closeForwarder()
    await Promise.all([internal, worker].map((s) => new Promise((r) => s.close(r))))
  })

  it('relays method, path, body and answer, with the real caller and without smuggled headers', async () => {
    seen.length = 0
    const answer = await send(
      workerPort,
      '/system/functions?x=1',
      {
        host: 'gateway.example',
        [FORWARD_SECRET_HEADER]: 'guess',
        [FORWARD_CLIENT_HEADER]: '6.6.6.6:1',
        'content-type': 'application/json',
      },
      '{"a":1}',
    )
    expect(answer.status).toBe(201)
    expect(answer.body).toBe('relayed')
    expect(answer.headers['x-answer']).toBe('yes')
    const [request] = seen
    expect(request?.body).toBe('{"a":1}')
    expect(request?.headers.host).toBe('gateway.example')
    // The caller's own forwarding headers were dropped; the primary's handler sees neither.
    expect(request?.headers[FORWARD_SECRET_HEADER]).toBeUndefined()
    expect(request?.headers[FORWARD_CLIENT_HEADER]).toBeUndefined()
    expect(request?.raw.map((h) => h.toLowerCase())).not.toContain(FORWARD_SECRET_HEADER)
    expect(request?.raw.map((h) => h.toLowerCase())).not.toContain(FORWARD_CLIENT_HEADER)
    // The address is the caller's socket, as the worker saw it, not 6.6.6.6 and not the relay's socket.
    expect(request?.client).toBe(`127.0.0.1:${answer.localPort}`)
    expect(request?.viaEnv).toBe(`127.0.0.1:${answer.localPort}`)
  })

  it('the internal listener refuses a request without the secret, or with a wrong one', async () => {
    seen.length = 0
    const none = await send(internalPort, '/system/functions', { [FORWARD_CLIENT_HEADER]: '1.2.3.4:5' })
    const wrong = await send(internalPort, '/system/functions', {
      [FORWARD_SECRET_HEADER]: 'b'.repeat(43),
      [FORWARD_CLIENT_HEADER]: '1.2.3.4:5',
    })
    const short = await send(internalPort, '/system/functions', {
      [FORWARD_SECRET_HEADER]: 'a',
      [FORWARD_CLIENT_HEADER]: '1.2.3.4:5',
    })
    expect([none.status, wrong.status, short.status]).toEqual([403, 403, 403])
    expect(seen).toHaveLength(0)
  })

  it('answers 502 with a message when the primary is unreachable', async () => {
    const dead = createServer()
    const port = await listen(dead)
    await new Promise((r) => dead.close(r))
    const forwarder = createForwarder({ port, secret: SECRET })
    const relay = createServer(forwarder.forward)
    const relayPort = await listen(relay)
    const answer = await send(relayPort, '/healthz', {})
    expect(answer.status).toBe(502)
    expect(answer.body).toMatch(/unavailable/)
    forwarder.close()
    await new Promise((r) => relay.close(r))
  })
})
