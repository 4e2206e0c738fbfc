/**
 * @module
 * The HTTP client the core uses to reach other servers (remote backends). Each runtime implements it
 * (src/runtime/node/http-client.ts, src/runtime/workers/http-client.ts) and hands it in, so code under
 * `src/` and `providers/` never imports a runtime's HTTP stack.
 *
 * Every implementation guarantees, because a proxy depends on each of them:
 * - **keep-alive pooling**: connections to a host are reused across calls;
 * - **bodies streamed both ways**: a ReadableStream request body is sent as it is read, and the
 *   response is handed back once its headers arrive, its body still streaming;
 * - **no decompression**: a `Content-Encoding: gzip` body arrives as the gzip bytes the server sent,
 *   with its header, so it can be passed on unchanged;
 * - **no redirect following**: a 3xx is returned as it is, with its `Location` (credentials never
 *   follow a redirect to another host, and a function's redirect reaches the caller);
 * - a failure to get a response rejects with {@link HttpTransportError}; an abort through `signal`
 *   rejects with the signal's reason.
 */

export interface HttpRequestInit {
  method: string
  headers: Headers
  /** null for no body. A stream is sent as it is read (chunked unless `content-length` is set). */
  body: ReadableStream<Uint8Array> | Uint8Array | string | null
  signal?: AbortSignal | undefined
}

/** Sends one request to an absolute `http:` or `https:` URL, sent with its path exactly as given. */
export type HttpClient = (url: string, init: HttpRequestInit) => Promise<Response>

const BRAND = Symbol.for('edgefaas.HttpTransportError')

/** No response was received: connection refused or reset, DNS, TLS, a socket timeout. */
export class HttpTransportError extends Error {
  readonly [BRAND] = true
  /**
   * True only when no byte of the request can have reached the server (the connection was never
   * established: refused, DNS, TLS handshake, connect timeout). Then resending it elsewhere is safe
   * whatever the method; otherwise the server may have received and acted on it.
   */
  readonly beforeSend: boolean
  /**
   * True when at least one byte of a response was received before the failure (a reset mid-head, or
   * a malformed head). False for a connection that was reset or closed before answering anything: with
   * `beforeSend` false, the request may have reached the server, which then said nothing.
   */
  readonly responseStarted: boolean
  constructor(message: string, options: { beforeSend: boolean; responseStarted?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'HttpTransportError'
    this.beforeSend = options.beforeSend
    this.responseStarted = options.responseStarted ?? false
  }
  /** Brand check that survives duplicated module copies across bundles (unlike instanceof). */
  static is(value: unknown): value is HttpTransportError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true
  }
}

/**
 * `scheme://host:port` of an absolute http(s) URL and the rest (path and query, at least `/`), kept
 * exactly as written: URL parsing would resolve `..` and re-encode characters.
 */
export function splitOrigin(url: string): { origin: string; path: string } {
  const scheme = url.indexOf('//')
  const slash = url.indexOf('/', scheme + 2)
  const origin = slash === -1 ? url : url.slice(0, slash)
  if (!origin.startsWith('http://') && !origin.startsWith('https://'))
    throw new TypeError(`unsupported URL scheme in ${origin}`)
  return { origin, path: slash === -1 ? '/' : url.slice(slash) }
}
