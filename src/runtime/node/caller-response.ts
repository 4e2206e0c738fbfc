/**
 * @module
 * What the native invoker (native-invoke.ts) writes an answer to: the few members of node:http's
 * `ServerResponse` it uses, which `ServerResponse` satisfies as it is and the fast door's raw-socket
 * response (wire/server/response.ts) implements, so the invocation rules are written once for both doors.
 */
export interface CallerResponse {
  /** Stores the head (status, flat `[name, value…]` list); throws on a header node:http would refuse. */
  writeHead(status: number, headers: string[]): unknown
  /** false: wait for `drain` before writing more. */
  write(chunk: Uint8Array): boolean
  end(chunk?: Uint8Array | string): unknown
  destroy(): unknown
  once(event: 'drain', listener: () => void): unknown
  /** Closed: after the end was written (`writableFinished`) or because the caller left. */
  on(event: 'close', listener: () => void): unknown
  readonly headersSent: boolean
  readonly destroyed: boolean
  readonly writableFinished: boolean
  /**
   * node:http's: kept from a writeHead that threw, so it is cleared before writing another status
   * (else `502 OK` would go out). The fast door's response has none: its reason is the status's own.
   */
  statusMessage?: string
}

/**
 * What a per-request hook (serve.ts `beforeEachRequest`) sees of a response, on either door: whether the
 * connection is kept after it (a draining worker sets false), and when it closes.
 */
export interface HookedResponse {
  shouldKeepAlive: boolean
  readonly headersSent: boolean
  on(event: 'close', listener: (this: HookedResponse) => void): unknown
}

/**
 * Writes a short plain-text answer (a refusal or a failure, as the app's error handler words it:
 * src/errors.ts `textResponse`) after `headers` (flat `[name, value…]`, none of the three set here).
 */
export function writeTextAnswer(
  res: CallerResponse,
  status: number,
  message: string,
  headers: string[],
): void {
  const text = `${message}\n`
  headers.push(
    'content-type',
    'text/plain; charset=utf-8',
    'x-content-type-options',
    'nosniff',
    'content-length',
    String(Buffer.byteLength(text)),
  )
  res.writeHead(status, headers)
  res.end(text)
}

/**
 * Writes a short Web `Response` the gateway made itself (the gate's refusal) whole, with its length;
 * `extra` headers (flat `[name, value…]`) follow its own.
 */
export async function writeWebAnswer(
  res: CallerResponse,
  response: Response,
  extra: string[] = [],
): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer())
  const headers: string[] = []
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'set-cookie') headers.push(name, value)
  })
  for (const cookie of response.headers.getSetCookie()) headers.push('set-cookie', cookie)
  headers.push('content-length', String(body.byteLength), ...extra)
  res.writeHead(response.status, headers)
  res.end(body)
}
