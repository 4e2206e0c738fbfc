/**
 * @module
 * Forwards one invocation to a replica on loopback and hands back its response as a Web `Response`,
 * streaming both bodies. Built on node:http rather than fetch because fetch decodes `Content-Encoding`
 * (a gzipped function response would reach the caller decompressed but still labelled gzip) and refuses
 * some headers; node:http also never follows redirects. Connections are kept alive; a request without a
 * body is retried once when a kept-alive socket turns out to be closed by the replica.
 *
 * Kept-alive connections are shared by callers, so each request is framed by what is actually sent: no
 * body, no length; a body without a length goes chunked; a body that does not match its length is cut
 * off with its connection instead of leaving the replica to read the next caller's bytes as its rest.
 */
import http from 'node:http'
import { connectionOptions, HOP_BY_HOP_HEADERS, isHopByHop } from '../../src/contract/hop-by-hop.ts'
import { INTERNAL_HEADER } from '../../src/contract/internal-header.ts'
import { responseBody } from '../../src/runtime/node/incoming-body.ts'
import type { InvocationRequest } from '../types.ts'

/** Hop-by-hop headers, plus Host: node:http sets the replica's own. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP_HEADERS, 'host'])

export class Forwarder {
  // Free sockets are dropped after 4 s, under Node's default 5 s server keep-alive, to avoid most races.
  readonly #agent = new http.Agent({ keepAlive: true, timeout: 4_000 })

  /** Sends `request` to `127.0.0.1:port` at `path` (path and raw query). Rejects when the replica cannot be reached. */
  forward(port: number, path: string, request: InvocationRequest): Promise<Response> {
    const headers: Record<string, string> = {}
    request.headers.forEach((value, key) => {
      if (!NOT_FORWARDED.has(key)) headers[key] = value
    })
    const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD'
    const declared = hasBody ? declaredLength(headers['content-length']) : undefined
    if (!hasBody || declared === null) delete headers['content-length']
    // node:http only chunks POST/PUT/PATCH bodies by default; a DELETE body would go out unframed.
    if (hasBody && declared == null) headers['transfer-encoding'] = 'chunked'
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
          toResponse(response, request.method).then(resolve, (error: unknown) => {
            response.destroy()
            reject(error)
          })
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
        void sendBody(request.body, upstream, declared ?? undefined)
      })
    return attempt(true)
  }

  close(): void {
    this.#agent.destroy()
  }
}

/** A caller's Content-Length as a number; null when it is not one (then the body goes chunked). */
function declaredLength(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined
  return /^\d{1,15}$/.test(value) ? Number(value) : null
}

/**
 * Streams `body` into `upstream`, holding it to `length` when one was announced: a body that runs over or
 * ends short destroys the request and its socket, so the connection is never reused out of step.
 */
async function sendBody(
  body: ReadableStream<Uint8Array>,
  upstream: http.ClientRequest,
  length: number | undefined,
): Promise<void> {
  const reader = body.getReader()
  let sent = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (upstream.destroyed) break
      if (done) {
        if (length !== undefined && sent !== length)
          throw new Error('request body shorter than its Content-Length')
        upstream.end()
        return
      }
      sent += value.byteLength
      if (length !== undefined && sent > length)
        throw new Error('request body longer than its Content-Length')
      if (!upstream.write(value)) await drained(upstream)
    }
    await reader.cancel()
  } catch (error) {
    upstream.destroy(error instanceof Error ? error : new Error('request body failed'))
    reader.cancel(error).catch(() => {})
  }
}

/** Resolves when `upstream` can take more, or is gone (then the caller sees `destroyed`). */
function drained(upstream: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      upstream.off('drain', done)
      upstream.off('close', done)
      resolve()
    }
    upstream.on('drain', done)
    upstream.on('close', done)
  })
}

async function toResponse(response: http.IncomingMessage, method: string): Promise<Response> {
  const headers = new Headers()
  const raw = response.rawHeaders
  const listed = connectionOptions(response.headers.connection)
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? ''
    const lower = name.toLowerCase()
    // X-OpenFaaS-Internal marks the gateway's own answers: a function must not pass its error off as
    // one (a front door would count it against the whole backend and resend the call).
    if (lower !== 'host' && lower !== INTERNAL_HEADER && !isHopByHop(lower, listed))
      headers.append(name, raw[i + 1] ?? '')
  }
  const status = response.statusCode ?? 502
  const init = { status, statusText: response.statusMessage ?? '', headers }
  return new Response(await responseBody(response, method, status), init)
}
