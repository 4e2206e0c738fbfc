/**
 * @module
 * Requests a worker process does not serve itself — the API, the UI, `/healthz`, async submissions,
 * custom domains, invocations the native transport leaves to the fetch handler — go to the primary
 * process over loopback, to an internal listener that mirrors the public one they arrived on. The bytes
 * are piped both ways (no Web Request/Response), the Host header and path are kept as they are, and two
 * headers say where the call came from:
 *
 * - `X-Edgefaas-Forward-Secret`: a random secret per gateway run, given to workers over IPC. The
 *   internal listener refuses anything without it (compared in constant time), so another local user
 *   connecting to the loopback port cannot pass as a forwarded caller.
 * - `X-Edgefaas-Forward-Client`: the caller's `ip:port`, which the primary then uses as the client
 *   address (X-Forwarded-For, audit), exactly as if it had accepted the connection itself.
 *
 * A caller cannot smuggle either header in: a worker drops both from what it receives before adding its
 * own, and the public listeners never read them.
 */
import { timingSafeEqual } from 'node:crypto'
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import { connectionOptions, isHopByHop } from '../../../contract/hop-by-hop.ts'
import { markForwardedClient, socketAddress } from '../client-address.ts'

export const FORWARD_SECRET_HEADER = 'x-edgefaas-forward-secret'
export const FORWARD_CLIENT_HEADER = 'x-edgefaas-forward-client'

/** A request header that must never reach the primary from outside (see the module comment). */
function isForwardHeader(lowerName: string): boolean {
  return lowerName === FORWARD_SECRET_HEADER || lowerName === FORWARD_CLIENT_HEADER
}

/** The worker side: a request listener that relays each request to the primary's internal listener. */
export function createForwarder(options: { port: number; secret: string }): {
  forward: RequestListener
  close(): void
} {
  // Loopback keep-alive connections, reused across requests; closed before the primary's 60 s idle limit.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000 })
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers: [string, string][] = []
    const listed = connectionOptions(req.headers.connection)
    const raw = req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string
      const lower = name.toLowerCase()
      // Hop-by-hop headers are this connection's, not the request's (Transfer-Encoding included:
      // node:http frames the body again towards the primary).
      if (isForwardHeader(lower) || isHopByHop(lower, listed)) continue
      headers.push([name, raw[i + 1] as string])
    }
    headers.push([FORWARD_SECRET_HEADER, options.secret])
    headers.push([FORWARD_CLIENT_HEADER, clientOf(req)])
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: options.port,
      method: req.method,
      path: req.url,
      headers: headers.flat(),
      agent,
      setHost: false,
    })
    upstream.on('response', (answer) => {
      const out: string[] = []
      const answerListed = connectionOptions(answer.headers.connection)
      const rawOut = answer.rawHeaders
      for (let i = 0; i < rawOut.length; i += 2) {
        const name = rawOut[i] as string
        if (!isHopByHop(name.toLowerCase(), answerListed)) out.push(name, rawOut[i + 1] as string)
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out)
      answer.pipe(res)
      answer.on('error', () => res.destroy())
    })
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('the gateway process that serves this request is unavailable; try again\n')
    })
    // The caller went away: so does the relayed request.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }
  return { forward, close: () => agent.destroy() }
}

/**
 * The primary side: a loopback listener that takes only requests carrying the secret, strips the two
 * forwarding headers, records the real caller and hands the request to `handler` (the same request
 * listener the matching public port runs).
 */
export function createInternalListener(secret: string, handler: RequestListener): Server {
  const expected = Buffer.from(secret)
  const server = createServer((req, res) => {
    const given = req.headers[FORWARD_SECRET_HEADER]
    const client = req.headers[FORWARD_CLIENT_HEADER]
    if (
      typeof given !== 'string' ||
      !sameSecret(Buffer.from(given), expected) ||
      typeof client !== 'string'
    ) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('this port takes requests from the gateway worker processes only\n')
      return
    }
    delete req.headers[FORWARD_SECRET_HEADER]
    delete req.headers[FORWARD_CLIENT_HEADER]
    const raw = req.rawHeaders
    const kept: string[] = []
    for (let i = 0; i < raw.length; i += 2) {
      if (!isForwardHeader((raw[i] as string).toLowerCase()))
        kept.push(raw[i] as string, raw[i + 1] as string)
    }
    req.rawHeaders = kept
    markForwardedClient(req, client)
    handler(req, res)
  })
  // Longer than the forwarder's 30 s idle timeout, so the worker closes an idle connection first.
  server.keepAliveTimeout = 60_000
  return server
}

function sameSecret(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function clientOf(req: IncomingMessage): string {
  return socketAddress(req.socket) ?? 'unknown:0'
}
