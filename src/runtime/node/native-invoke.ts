/**
 * @module
 * Node's native invocation transport: `/function/*` served straight from node:http's `IncomingMessage`
 * and `ServerResponse`, each attempt sent over the runtime's pooled upstream client (upstream.ts) to the
 * target the provider names (`Provider.target`). No Web `Request`, `Response` or stream is built on the
 * way: request bodies are piped (a small one of known length is read whole so headers and body leave in
 * one write), response chunks are written to the caller as they arrive, with backpressure both ways.
 *
 * Only I/O lives here. The rules — route, admission, header rules, timeout, backend choice, failover,
 * scale from zero, metrics — are the shared pipeline's (src/invoke/invocation.ts), which the Web
 * transport (src/invoke/proxy.ts) runs too. A provider without `target()` is reached through its
 * `invoke()`, its Web `Response` written out here.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { InvocationTarget, InvocationTargetRequest, Provider } from '../../../providers/types.ts'
import { connectionOptions, isHopByHop } from '../../contract/hop-by-hop.ts'
import { INTERNAL_HEADER } from '../../contract/internal-header.ts'
import { toApiError } from '../../errors.ts'
import { HttpTransportError } from '../../http/client.ts'
import { type HeaderReader, ListHeaders } from '../../http/header-map.ts'
import { type Deadlines, SharedDeadlines } from '../../invoke/deadlines.ts'
import type { Call, Replay, Transport } from '../../invoke/deliver.ts'
import { type CallIdentity, decorate, proxyErrorHeaders } from '../../invoke/headers.ts'
import type { InvocationIO, InvocationResult, RunInvocation } from '../../invoke/invocation.ts'
import { ResendableBody } from '../../invoke/resendable-body.ts'
import type { Logger } from '../../logger.ts'
import { forwardedClient } from './client-address.ts'
import { SMALL_BODY_BYTES } from './incoming-body.ts'
import { CallerHeaders, upstreamHeaderList } from './request-headers.ts'
import type { BodySink, UpstreamClient, UpstreamResponseBody } from './upstream.ts'

/** The caller's body as this transport holds it: read whole (small, known length) or still streaming. */
export type NativeBody = Buffer | Readable | AsyncIterable<Uint8Array>

/** One answer of a backend, as the pipeline and the writer below see it. */
export interface NativeAnswer {
  status: number
  /**
   * Flat `[name, value, name, value…]` as `writeHead` takes it, lower-case names, hop-by-hop ones and
   * those the target drops already left out.
   */
  headers: string[]
  /** The declared Content-Length; NaN when none. */
  contentLength: number
  internal: boolean
  body: UpstreamResponseBody
  /** The target's end of exchange (a local replica counts its calls until the body is read). */
  done: () => void
}

export interface NativeInvokerOptions {
  run: RunInvocation
  upstream: UpstreamClient
  servedBy: string
  logger: Logger
}

/** Handles one request whose raw path is a checked `/function/…` path; never rejects. */
export type NativeInvoker = (
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  search: string,
) => void

const NULL_BODY_STATUS: ReadonlySet<number> = new Set([204, 205, 304])
const noop = () => {}

export function createNativeInvoker(options: NativeInvokerOptions): NativeInvoker {
  // Calls' timeouts in shared lists, not a setTimeout each: this process outlives every request.
  const transport = nativeTransport(options.upstream, new SharedDeadlines())
  const { run, servedBy, logger } = options

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    caller: NativeCall,
    result: InvocationResult<NativeAnswer>,
  ): Promise<void> | undefined {
    if (result.kind === 'refused') {
      writeText(res, result.status, result.message, result.headers)
      return
    }
    if (result.kind === 'gate') return writeResponse(res, result.response)
    const { answer, call, backend } = result
    if (caller.gone || res.destroyed) {
      // The caller left while the answer was on its way: nothing will read it.
      answer.body.discard()
      answer.done()
      return
    }
    decorate(new ListHeaders(answer.headers), call, servedBy, backend)
    try {
      res.writeHead(answer.status, answer.headers)
    } catch (error) {
      // A header value node:http refuses to write (bytes outside Latin-1): the answer cannot be passed on.
      answer.body.discard()
      answer.done()
      logger.warn('invocation answer not passed on', { function: caller.pathname, error })
      writeText(res, 502, 'the function answered with a header that cannot be passed on', {
        ...proxyErrorHeaders(backend),
      })
      return
    }
    writeAnswer(req, res, caller, answer)
  }

  function failed(res: ServerResponse, pathname: string, error: unknown): void {
    // The pipeline answers every backend failure itself; what reaches here is the store failing.
    const apiError = toApiError(error)
    logger.error('invocation failed', { path: pathname, error: apiError.cause ?? apiError })
    if (!res.headersSent) writeText(res, apiError.status, apiError.message, {})
    else res.destroy()
  }

  function start(req: IncomingMessage, res: ServerResponse, caller: NativeCall): void {
    // One reaction, not then + catch: what answering throws is caught here as a failed run is.
    run(transport, caller).then(
      (result) => {
        try {
          answer(req, res, caller, result)?.catch((error: unknown) => failed(res, caller.pathname, error))
        } catch (error) {
          failed(res, caller.pathname, error)
        }
      },
      (error: unknown) => failed(res, caller.pathname, error),
    )
  }

  return (req, res, pathname, search) => {
    const caller = new NativeCall(req, res, pathname, search)
    const body = callerBody(req, (read) => {
      caller.received = read
      start(req, res, caller)
    })
    if (body === READING) return
    caller.received = body
    start(req, res, caller)
  }
}

/**
 * The caller's request as the pipeline sees it (`InvocationIO`), and whether the caller is still
 * there: one object per call with its methods on the prototype, one `close` listener on the response.
 */
class NativeCall implements InvocationIO<ListHeaders, NativeBody> {
  readonly method: string
  readonly pathname: string
  readonly search: string
  readonly clientAddress: string | undefined
  readonly headers: HeaderReader
  readonly gateRequest: { headers: HeaderReader }
  readonly #raw: string[]
  received: NativeBody | null = null
  gone = false
  /** The answer's writer, told when the response closes (writeAnswer). */
  writer: AnswerWriter | null = null
  #listeners: Array<(reason: unknown) => void> | null = null

  constructor(req: IncomingMessage, res: ServerResponse, pathname: string, search: string) {
    this.method = req.method ?? 'GET'
    this.pathname = pathname
    this.search = search
    this.clientAddress = clientAddressOf(req)
    this.#raw = req.rawHeaders
    this.headers = new CallerHeaders(this.#raw)
    this.gateRequest = { headers: this.headers }
    res.on('close', () => this.#closed(res))
  }

  #closed(res: ServerResponse): void {
    const finishing = res.writableFinished
    if (!finishing) {
      this.gone = true
      const listeners = this.#listeners
      this.#listeners = null
      if (listeners) for (const listener of listeners) listener(new Error('the caller went away'))
    }
    const writer = this.writer
    this.writer = null
    writer?.closed()
  }

  upstreamHeaders(forwardsBody: boolean): { headers: ListHeaders; call: CallIdentity } {
    return upstreamHeaderList(this.#raw, this.clientAddress, forwardsBody)
  }

  body(): NativeBody | null {
    return this.received
  }

  callerGone(): boolean {
    return this.gone
  }

  onCallerGone(listener: (reason: unknown) => void): () => void {
    if (this.#listeners) this.#listeners.push(listener)
    else this.#listeners = [listener]
    return () => {
      const listeners = this.#listeners
      if (!listeners) return
      const at = listeners.indexOf(listener)
      if (at !== -1) listeners.splice(at, 1)
    }
  }
}

export function nativeTransport(
  upstream: UpstreamClient,
  deadlines: Deadlines,
): Transport<ListHeaders, NativeBody, NativeAnswer> {
  return {
    deadlines,
    send(provider, call, body) {
      if (!provider.target) return viaInvoke(provider, call, body)
      const request = new TargetRequest(call, body !== null)
      if (provider.targetNow) {
        let target: InvocationTarget | undefined
        try {
          target = provider.targetNow(call.fn.namespace, call.fn.name, call.path, request)
        } catch (error) {
          return Promise.reject(error)
        }
        if (target) return sendTo(upstream, target, call, body)
      }
      return provider
        .target(call.fn.namespace, call.fn.name, call.path, request)
        .then((target) => sendTo(upstream, target, call, body))
    },
    internal: (answer) => answer.internal,
    resendable(body, limit): Replay<NativeBody> {
      if (Buffer.isBuffer(body)) return { replayable: true, body: () => body }
      const kept = new ResendableBody(body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>, limit)
      return {
        get replayable() {
          return kept.replayable
        },
        body: () => kept.iterable(),
      }
    },
    discard(answer) {
      answer.body.discard()
      answer.done()
    },
  }
}

/**
 * What the provider is told of the call; the AbortSignal is made only if it reads it. A class, its
 * getter on the prototype: an object literal with a getter is built through V8's slow path every call.
 */
class TargetRequest implements InvocationTargetRequest {
  readonly method: string
  readonly hasBody: boolean
  readonly #call: Call<ListHeaders, NativeBody>

  constructor(call: Call<ListHeaders, NativeBody>, hasBody: boolean) {
    this.method = call.method
    this.hasBody = hasBody
    this.#call = call
  }

  get signal(): AbortSignal {
    return this.#call.signal
  }
}

function sendTo(
  upstream: UpstreamClient,
  target: InvocationTarget,
  call: Call<ListHeaders, NativeBody>,
  body: NativeBody | null,
): Promise<NativeAnswer> {
  return upstream
    .send(
      {
        origin: target.origin,
        path: target.path,
        method: call.method,
        headers: call.headers.list,
        body,
      },
      call.control,
    )
    .then(
      (head) => answerOf(target, head.status, head.headers, head.body),
      (error: unknown) => {
        target.done?.()
        throw error
      },
    )
}

/**
 * The answer, once the target has seen its head (and may turn it into NOT_READY): its headers as the
 * flat `[name, value…]` list `writeHead` takes, hop-by-hop ones and those the target drops left out.
 */
function answerOf(
  target: InvocationTarget,
  status: number,
  headers: IncomingHttpHeaders,
  body: UpstreamResponseBody,
): NativeAnswer {
  const done = target.done ?? noop
  if (status < 200 || status > 599) {
    body.discard()
    done()
    throw new HttpTransportError(`the backend answered with status ${status}, which cannot be passed on`, {
      beforeSend: false,
      responseStarted: true,
    })
  }
  // Two `Connection` lines arrive as an array: their options are one list (RFC 9110 §5.3).
  const connection = headers.connection as string | string[] | undefined
  const listed = connectionOptions(Array.isArray(connection) ? connection.join(',') : connection)
  const dropped = target.dropResponseHeaders
  const list: string[] = []
  for (const name in headers) {
    if (isHopByHop(name, listed) || dropped.has(name)) continue
    const value = headers[name]
    if (typeof value === 'string') list.push(name, value)
    else if (value !== undefined) for (const one of value) list.push(name, one)
  }
  const internal = headers[INTERNAL_HEADER] !== undefined
  try {
    target.answered?.(status, internal)
  } catch (error) {
    body.discard()
    done()
    throw error
  }
  const length = headers['content-length']
  return {
    status,
    headers: list,
    contentLength: typeof length === 'string' ? Number(length) : Number.NaN,
    internal,
    body,
    done,
  }
}

/** A provider without `target()`: its `invoke()`, the Web Response read back into a native answer. */
async function viaInvoke(
  provider: Provider,
  call: Call<ListHeaders, NativeBody>,
  body: NativeBody | null,
): Promise<NativeAnswer> {
  const headers = new Headers()
  const sent = call.headers.list
  for (let i = 0; i + 1 < sent.length; i += 2) headers.append(sent[i]!, sent[i + 1]!)
  let webBody: ReadableStream<Uint8Array> | null = null
  if (body !== null) {
    const readable = Buffer.isBuffer(body) ? Readable.from([body]) : Readable.from(body)
    webBody = Readable.toWeb(readable) as unknown as ReadableStream<Uint8Array>
  }
  const response = await provider.invoke(call.fn.namespace, call.fn.name, call.path, {
    method: call.method,
    headers,
    body: webBody,
    signal: call.signal,
  })
  const list: string[] = []
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') list.push(name, value)
  })
  for (const cookie of response.headers.getSetCookie()) list.push('set-cookie', cookie)
  const length = response.headers.get('content-length')
  return {
    status: response.status,
    headers: list,
    contentLength: length === null ? Number.NaN : Number(length),
    internal: response.headers.has(INTERNAL_HEADER),
    body: webResponseBody(response.body),
    done: noop,
  }
}

/** A Web body as an UpstreamResponseBody, for viaInvoke. */
function webResponseBody(stream: ReadableStream<Uint8Array> | null): UpstreamResponseBody {
  const source = stream ? Readable.fromWeb(stream as NodeReadableStream<Uint8Array>) : null
  return {
    consume(sink: BodySink) {
      if (!source) return sink.end()
      source.on('data', (chunk: Buffer) => {
        if (!sink.data(chunk)) source.pause()
      })
      source.once('end', () => sink.end())
      source.once('error', (error) => sink.error(error))
    },
    resume: () => source?.resume(),
    discard: (reason) => source?.destroy(reason),
  }
}

/** Writes the function's answer after its head: the body as it arrives; the last chunk of a known length ends it. */
function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  caller: NativeCall,
  answer: NativeAnswer,
): void {
  const { body, done } = answer
  if (req.method === 'HEAD' || NULL_BODY_STATUS.has(answer.status)) {
    body.consume({ data: () => true, end: done, error: done })
    res.end()
    return
  }
  const writer = new AnswerWriter(res, answer)
  caller.writer = writer
  body.consume(writer)
}

/**
 * The sink of one answer's body, written to the caller with backpressure: one object per call with
 * its methods on the prototype, rather than a sink literal and its closures.
 */
class AnswerWriter implements BodySink {
  readonly #res: ServerResponse
  readonly #answer: NativeAnswer
  #written = 0
  /** The response was ended with the last chunk of a known length. */
  #ended = false
  #over = false
  readonly #resume = () => this.#answer.body.resume()

  constructor(res: ServerResponse, answer: NativeAnswer) {
    this.#res = res
    this.#answer = answer
  }

  data(chunk: Buffer): boolean {
    this.#written += chunk.byteLength
    // The last chunk of a known length goes out with end(): one write instead of two.
    if (this.#written === this.#answer.contentLength) {
      this.#ended = true
      this.#res.end(chunk)
      return true
    }
    if (this.#res.write(chunk)) return true
    this.#res.once('drain', this.#resume)
    return false
  }

  end(): void {
    // An empty answer (Content-Length: 0) has no last chunk: it is ended here.
    if (!this.#ended) this.#res.end()
    this.#finish()
  }

  error(): void {
    // The backend broke off mid-body: the caller must see a cut answer, not a complete-looking one.
    this.#res.destroy()
    this.#finish()
  }

  /** The response closed (sent, or the caller left): a body not through by then is not read further. */
  closed(): void {
    if (this.#over) return
    this.#answer.body.discard()
    this.#finish()
  }

  #finish(): void {
    if (this.#over) return
    this.#over = true
    this.#answer.done()
  }
}

/** The gate's refusal (a short text answer) as it is. */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer())
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  headers['content-length'] = String(body.byteLength)
  res.writeHead(response.status, headers)
  res.end(body)
}

function writeText(res: ServerResponse, status: number, message: string, headers: Record<string, string>) {
  const text = `${message}\n`
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/**
 * The body to send: null when none was framed; a small one of known length read whole (it arrives with
 * the headers in practice, and a whole body leaves with the upstream headers in one write); else the
 * request itself, streamed.
 */
function callerBody(
  req: IncomingMessage,
  whenRead: (body: NativeBody) => void,
): NativeBody | null | typeof READING {
  const declared = req.headers['content-length']
  if (declared === undefined) {
    if (req.headers['transfer-encoding'] === undefined) return emptyBody(req)
    // As an iterable, not the stream: undici would give a stream that already ended a Content-Length,
    // and a chunked body must reach the function chunked.
    return { [Symbol.asyncIterator]: () => req[Symbol.asyncIterator]() }
  }
  const length = Number(declared)
  if (length === 0) return emptyBody(req)
  if (length > SMALL_BODY_BYTES) return req
  // Called back rather than through a Promise: one microtask hop and one allocation fewer per call.
  // Once, as a Promise would settle: an error after the end must not start the call again.
  const chunks: Buffer[] = []
  let settled = false
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.once('end', () => {
    if (settled) return
    settled = true
    whenRead(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
  })
  // A caller that leaves mid-body: what arrived is not sent; the close listener ends the call.
  req.once('error', () => {
    if (settled) return
    settled = true
    whenRead(req)
  })
  return READING
}

/** callerBody's answer while a small body is still being read (it then calls `whenRead`). */
const READING: unique symbol = Symbol('reading')

function emptyBody(req: IncomingMessage): null {
  req.resume()
  return null
}

function clientAddressOf(req: IncomingMessage): string | undefined {
  const relayed = forwardedClient(req) // a worker process's forwarded call (runtime/node/cluster/)
  if (relayed) return relayed
  const { remoteAddress, remotePort } = req.socket
  if (!remoteAddress) return undefined
  return `${remoteAddress.includes(':') ? `[${remoteAddress}]` : remoteAddress}:${remotePort ?? 0}`
}
