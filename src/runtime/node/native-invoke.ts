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
import type { IncomingHttpHeaders } from 'node:http'
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
import { type CallerResponse, writeTextAnswer, writeWebAnswer } from './caller-response.ts'
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

/**
 * The caller's request as either door hands it over: node:http's (incoming-invoke.ts) or the fast
 * door's (wire/server/), its body already framed.
 */
export interface NativeCaller {
  method: string
  /** `[name, value…]` as received: names as sent, repeated fields as sent. */
  rawHeaders: string[]
  /** `ip:port`, or a worker's relayed caller. */
  clientAddress: string | undefined
  /** null: none was framed; a Buffer: read whole; else still streaming. */
  body: NativeBody | null
}

/** Handles one request whose raw path is a checked `/function/…` path; never rejects. */
export type NativeInvoker = (
  caller: NativeCaller,
  res: CallerResponse,
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
    res: CallerResponse,
    caller: NativeCall,
    result: InvocationResult<NativeAnswer>,
  ): Promise<void> | undefined {
    if (result.kind === 'refused') {
      writeText(res, result.status, result.message, result.headers)
      return
    }
    if (result.kind === 'gate') return writeWebAnswer(res, result.response)
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
      if (res.statusMessage !== undefined) res.statusMessage = ''
      writeText(res, 502, 'the function answered with a header that cannot be passed on', {
        ...proxyErrorHeaders(backend),
      })
      return
    }
    writeAnswer(res, caller, answer)
  }

  function failed(res: CallerResponse, pathname: string, error: unknown): void {
    // The pipeline answers every backend failure itself; what reaches here is the store failing.
    const apiError = toApiError(error)
    logger.error('invocation failed', { path: pathname, error: apiError.cause ?? apiError })
    if (!res.headersSent) writeText(res, apiError.status, apiError.message, {})
    else res.destroy()
  }

  function start(res: CallerResponse, caller: NativeCall): void {
    // One reaction, not then + catch: what answering throws is caught here as a failed run is.
    run(transport, caller).then(
      (result) => {
        try {
          answer(res, caller, result)?.catch((error: unknown) => failed(res, caller.pathname, error))
        } catch (error) {
          failed(res, caller.pathname, error)
        }
      },
      (error: unknown) => failed(res, caller.pathname, error),
    )
  }

  return (request, res, pathname, search) => start(res, new NativeCall(request, res, pathname, search))
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
  readonly received: NativeBody | null
  gone = false
  /** The answer's writer, told when the response closes (writeAnswer). */
  writer: AnswerWriter | null = null
  #listeners: Array<(reason: unknown) => void> | null = null

  constructor(request: NativeCaller, res: CallerResponse, pathname: string, search: string) {
    this.method = request.method
    this.pathname = pathname
    this.search = search
    this.clientAddress = request.clientAddress
    this.#raw = request.rawHeaders
    this.received = request.body
    this.headers = new CallerHeaders(this.#raw)
    this.gateRequest = { headers: this.headers }
    // A caller that left while its body was read (node:http door) has a response closed already.
    if (res.destroyed) this.gone = true
    else res.on('close', () => this.#closed(res))
  }

  #closed(res: CallerResponse): void {
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
function writeAnswer(res: CallerResponse, caller: NativeCall, answer: NativeAnswer): void {
  const { body, done } = answer
  if (caller.method === 'HEAD' || NULL_BODY_STATUS.has(answer.status)) {
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
  readonly #res: CallerResponse
  readonly #answer: NativeAnswer
  #written = 0
  /** The response was ended with the last chunk of a known length. */
  #ended = false
  #over = false
  readonly #resume = () => this.#answer.body.resume()

  constructor(res: CallerResponse, answer: NativeAnswer) {
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

function writeText(res: CallerResponse, status: number, message: string, headers: Record<string, string>) {
  const list: string[] = []
  for (const name in headers) {
    const lower = name.toLowerCase()
    if (lower !== 'content-type' && lower !== 'x-content-type-options' && lower !== 'content-length') {
      list.push(name, headers[name]!)
    }
  }
  writeTextAnswer(res, status, message, list)
}
