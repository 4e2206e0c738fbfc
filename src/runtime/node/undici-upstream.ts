/**
 * @module
 * The upstream client on undici's `Agent` (a keep-alive `Pool` per origin): what carries `https:`
 * origins and streamed request bodies (upstream.ts composes it with the wire client, wire/client/).
 *
 * A call is dispatched with a handler of our own rather than `request()`/`stream()`: the response head
 * is handed over as soon as it is parsed, and body chunks go straight to whoever consumes them (a
 * `ServerResponse`, a Web stream), with backpressure through the dispatch controller, no intermediate
 * stream. undici, like node:http, follows no redirects and does not decode `Content-Encoding`.
 *
 * What a failure means is kept exact, because failover depends on it (src/invoke/attempt-outcome.ts):
 * {@link HttpTransportError.beforeSend} is true only when undici never started writing the request on a
 * connection (`onRequestStart` not reached: refused, DNS, TLS, connect timeout, a pool closed), and
 * {@link HttpTransportError.responseStarted} says whether any byte of a response was received before the
 * failure (undici's `onResponseStarted`, called on the first byte the parser sees).
 */
import type { IncomingHttpHeaders } from 'node:http'
import { Agent, type Dispatcher } from 'undici'
import type { HttpTransportError } from '../../http/client.ts'
import { upstreamTransportError } from './transport-error.ts'
import type {
  BodySink,
  UpstreamClient,
  UpstreamHead,
  UpstreamOptions,
  UpstreamResponseBody,
} from './upstream.ts'

/** Chunks received before the body's consumer arrived, kept up to this before reading pauses. */
const BUFFER_BEFORE_CONSUMER = 64 * 1024

export function createUndiciUpstream(options: UpstreamOptions = {}): UpstreamClient {
  const agent = new Agent({
    keepAliveTimeout: options.idleSocketMs ?? 4_000,
    // The gateway's own timer bounds the wait for a response (the function's timeout); a streamed body
    // (SSE, NDJSON) may stay quiet for as long as the function likes.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(options.connectionsPerOrigin ? { connections: options.connectionsPerOrigin } : {}),
    ...(options.ca ? { connect: { ca: options.ca } } : {}),
  })
  let closing: Promise<void> | null = null
  return {
    send(request, cancel) {
      const exchange = new Exchange(request.origin, request.method)
      if (cancel) {
        if (cancel.aborted) return Promise.reject(cancel.reason)
        exchange.cleanup = cancel.onAbort((reason) => exchange.abort(reason))
      }
      try {
        agent.dispatch(
          {
            origin: request.origin,
            path: request.path,
            method: request.method as Dispatcher.HttpMethod,
            headers: request.headers,
            body: request.body as Dispatcher.DispatchOptions['body'],
          },
          exchange,
        )
      } catch (error) {
        // Refused before anything was queued (an invalid header): nothing was sent.
        exchange.onResponseError(null, error as Error)
      }
      return exchange.head
    },
    close() {
      closing ??= agent.close()
      return closing
    },
  }
}

/**
 * One request and its response, as undici's dispatch handler. Resolves `head` on the response head,
 * then passes body chunks to the consumer (or keeps them until it arrives).
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamResponseBody {
  readonly head: Promise<UpstreamHead>
  cleanup: (() => void) | null = null
  #resolve!: (head: UpstreamHead) => void
  #reject!: (error: unknown) => void
  readonly #origin: string
  readonly #method: string
  #controller: Dispatcher.DispatchController | null = null
  /** Set when aborted before undici handed over a controller. */
  #abortReason: Error | null = null
  #sent = false
  #responseStarted = false
  #headed = false
  #sink: BodySink | null = null
  #buffered: Buffer[] = []
  #bufferedBytes = 0
  #ended = false
  #failure: Error | null = null
  #discarded = false

  constructor(origin: string, method: string) {
    this.#origin = origin
    this.#method = method
    this.head = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  abort(reason: unknown): void {
    const error = reason instanceof Error ? reason : new Error(String(reason))
    // The head rejects with the reason itself (the contract), whether or not undici had started.
    this.#abortReason = error
    this.#controller?.abort(error)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#abortReason) {
      controller.abort(this.#abortReason)
      return
    }
    this.#sent = true
  }

  onResponseStarted(): void {
    this.#responseStarted = true
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    statusText?: string,
  ): void {
    this.#controller = controller
    // A 1xx interim answer (103 Early Hints): the final head follows on the same exchange.
    if (status < 200) return
    this.#headed = true
    this.#resolve({ status, statusText: statusText ?? '', headers, body: this })
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#discarded) return
    if (this.#sink) {
      if (!this.#sink.data(chunk)) controller.pause()
      return
    }
    this.#buffered.push(chunk)
    this.#bufferedBytes += chunk.byteLength
    if (this.#bufferedBytes >= BUFFER_BEFORE_CONSUMER) controller.pause()
  }

  onResponseEnd(): void {
    this.#ended = true
    this.cleanup?.()
    this.#sink?.end()
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.cleanup?.()
    if (!this.#headed) {
      this.#reject(this.#abortReason ?? this.#transportError(error))
      return
    }
    this.#failure = error
    this.#sink?.error(error)
  }

  consume(sink: BodySink): void {
    this.#sink = sink
    const chunks = this.#buffered
    this.#buffered = []
    this.#bufferedBytes = 0
    let flowing = true
    for (const chunk of chunks) flowing = sink.data(chunk) && flowing
    if (this.#failure) sink.error(this.#failure)
    else if (this.#ended) sink.end()
    else if (flowing) this.#controller?.resume()
    else this.#controller?.pause()
  }

  resume(): void {
    this.#controller?.resume()
  }

  discard(reason?: Error): void {
    this.#discarded = true
    this.#buffered = []
    if (!this.#ended && !this.#failure) this.#controller?.abort(reason ?? new Error('response discarded'))
  }

  #transportError(error: Error): HttpTransportError {
    return upstreamTransportError(this.#method, this.#origin, error, !this.#sent, this.#responseStarted)
  }
}
