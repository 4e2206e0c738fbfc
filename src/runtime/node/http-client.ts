/**
 * @module
 * The core's HttpClient (src/http/client.ts) on Node, built on node:http and node:https with keep-alive
 * agents rather than fetch: Node's fetch decodes `Content-Encoding` (a gzipped body would be passed on
 * decompressed but still labelled gzip) and its Web-stream plumbing costs most of a proxy's throughput.
 * node:http follows no redirects and leaves bodies as they are on the wire.
 */
import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { type HttpClient, type HttpRequestInit, HttpTransportError } from '../../http/client.ts'
import { responseBody } from './incoming-body.ts'

export interface NodeHttpClientOptions {
  /**
   * Idle pooled connections are closed after this long. Default 4 s: under the 5 s keep-alive of a Node
   * server (and Go's much longer ones), so the client, not the server, ends an idle connection and a
   * request is rarely written to a socket the server is closing.
   */
  idleSocketMs?: number
  /** Extra CA certificates (PEM) trusted for https backends, e.g. a cluster's private CA. */
  ca?: string | undefined
}

/** An HttpClient that owns connection pools: `close()` ends them. */
export interface NodeHttpClient extends HttpClient {
  close(): void
}

interface Origin {
  module: typeof http | typeof https
  agent: http.Agent
  hostname: string
  port: number
  /** https only: the TLS handshake, not the TCP connect, is the point after which bytes may be sent. */
  secure: boolean
}

export function createNodeHttpClient(options: NodeHttpClientOptions = {}): NodeHttpClient {
  const timeout = options.idleSocketMs ?? 4_000
  const httpAgent = new http.Agent({ keepAlive: true, timeout })
  const httpsAgent = new https.Agent({ keepAlive: true, timeout, ...(options.ca ? { ca: options.ca } : {}) })
  const origins = new Map<string, Origin>()

  function originOf(url: string): { origin: Origin; path: string } {
    const slash = url.indexOf('/', url.indexOf('//') + 2)
    const key = slash === -1 ? url : url.slice(0, slash)
    // The path is sent exactly as given: URL parsing would resolve `..` and re-encode characters.
    const path = slash === -1 ? '/' : url.slice(slash)
    let origin = origins.get(key)
    if (!origin) {
      const parsed = new URL(key)
      const secure = parsed.protocol === 'https:'
      if (!secure && parsed.protocol !== 'http:')
        throw new TypeError(`unsupported URL scheme ${parsed.protocol}`)
      origin = {
        module: secure ? https : http,
        agent: secure ? httpsAgent : httpAgent,
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(parsed.port || (secure ? 443 : 80)),
        secure,
      }
      origins.set(key, origin)
    }
    return { origin, path }
  }

  const client = ((url: string, init: HttpRequestInit): Promise<Response> => {
    const { origin, path } = originOf(url)
    const headers: Record<string, string> = {}
    init.headers.forEach((value, key) => {
      headers[key] = value
    })
    const { body } = init
    if (typeof body === 'string' || body instanceof Uint8Array) {
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)
    } else if (body && headers['content-length'] === undefined) {
      // node:http chunks only POST/PUT/PATCH bodies by default; a DELETE body would go out unframed.
      headers['transfer-encoding'] = 'chunked'
    }

    const attempt = (retry: boolean): Promise<Response> =>
      new Promise((resolve, reject) => {
        let connected = false
        const request = origin.module.request({
          host: origin.hostname,
          port: origin.port,
          path,
          method: init.method,
          headers,
          agent: origin.agent,
          signal: init.signal,
        })
        request.once('socket', (socket) => {
          if (request.reusedSocket) connected = true
          else socket.once(origin.secure ? 'secureConnect' : 'connect', () => (connected = true))
        })
        request.once('response', (response) => {
          toResponse(response, init.method).then(resolve, (error: unknown) => {
            response.destroy()
            reject(error)
          })
        })
        request.once('error', (error: NodeJS.ErrnoException) => {
          if (init.signal?.aborted) return reject(init.signal.reason)
          // A kept-alive socket the server closed while idle: the request never reached it (Node's
          // documented retry case). Only a request without a body can be sent again from here.
          if (retry && !body && request.reusedSocket && error.code === 'ECONNRESET') {
            resolve(attempt(false))
            return
          }
          reject(
            new HttpTransportError(`${init.method} ${origin.hostname}:${origin.port}: ${error.message}`, {
              beforeSend: !connected,
              cause: error,
            }),
          )
        })
        if (body === null) request.end()
        else if (typeof body === 'string' || body instanceof Uint8Array) request.end(body)
        else {
          const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>)
          source.once('error', (error) => request.destroy(error))
          source.pipe(request)
        }
      })
    return attempt(true)
  }) as NodeHttpClient

  client.close = () => {
    httpAgent.destroy()
    httpsAgent.destroy()
  }
  return client
}

async function toResponse(response: http.IncomingMessage, method: string): Promise<Response> {
  const headers = new Headers()
  const raw = response.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '')
  const status = response.statusCode ?? 0
  if (status < 200 || status > 599) {
    throw new HttpTransportError(`the server answered with status ${status}, which cannot be passed on`, {
      beforeSend: false,
    })
  }
  const init = { status, statusText: response.statusMessage ?? '', headers }
  return new Response(await responseBody(response, method, status), init)
}
