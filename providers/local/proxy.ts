/**
 * @module
 * Forwards one invocation to a replica on loopback and hands back its response as a Web `Response`,
 * streaming both bodies. Built on node:http rather than fetch because fetch decodes `Content-Encoding`
 * (a gzipped function response would reach the caller decompressed but still labelled gzip) and refuses
 * some headers; node:http also never follows redirects. Connections are kept alive; a request without a
 * body is retried once when a kept-alive socket turns out to be closed by the replica.
 */
import http from 'node:http'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
])
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

export class Forwarder {
  // Free sockets are dropped after 4 s, under Node's default 5 s server keep-alive, to avoid most races.
  readonly #agent = new http.Agent({ keepAlive: true, timeout: 4_000 })

  /** Sends `request` to `127.0.0.1:port` at `path` (path and raw query). Rejects when the replica cannot be reached. */
  forward(port: number, path: string, request: Request): Promise<Response> {
    const headers: Record<string, string> = {}
    request.headers.forEach((value, key) => {
      if (!HOP_BY_HOP.has(key)) headers[key] = value
    })
    const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD'
    // node:http only chunks POST/PUT/PATCH bodies by default; a DELETE body would go out unframed.
    if (hasBody && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked'
    const attempt = (retry: boolean): Promise<Response> =>
      new Promise((resolve, reject) => {
        const upstream = http.request({
          host: '127.0.0.1',
          port,
          path: path.startsWith('/') ? path : `/${path}`,
          method: request.method,
          headers,
          agent: this.#agent,
          signal: request.signal,
        })
        upstream.once('response', (response) => {
          try {
            resolve(toResponse(response, request.method))
          } catch (error) {
            response.destroy()
            reject(error)
          }
        })
        upstream.once('error', (error: NodeJS.ErrnoException) => {
          if (retry && !hasBody && upstream.reusedSocket && error.code === 'ECONNRESET')
            resolve(attempt(false))
          else reject(error)
        })
        if (!hasBody || !request.body) {
          upstream.end()
          return
        }
        const body = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>)
        body.once('error', (error) => upstream.destroy(error))
        body.pipe(upstream)
      })
    return attempt(true)
  }

  close(): void {
    this.#agent.destroy()
  }
}

function toResponse(response: http.IncomingMessage, method: string): Response {
  const headers = new Headers()
  const raw = response.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? ''
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, raw[i + 1] ?? '')
  }
  const status = response.statusCode ?? 502
  const init = { status, statusText: response.statusMessage ?? '', headers }
  if (method === 'HEAD' || NULL_BODY_STATUS.has(status)) {
    response.resume()
    return new Response(null, init)
  }
  return new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, init)
}
