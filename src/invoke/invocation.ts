/**
 * @module
 * One synchronous invocation, written once for every transport: parse the target, find the route (no
 * SQL in the steady state), admit it (src/access/invocation-gate.ts, the one seam), count it, apply the OpenFaaS header
 * rules, bound it by the function's timeout, and deliver it (deliver.ts: backend choice, failover, scale
 * from zero). A transport supplies only I/O: its view of the caller's request (`InvocationIO`) and how
 * an attempt is sent (`Transport`); it then writes the answer or the gateway's own error it is handed.
 *
 * Transports: src/invoke/proxy.ts (Web `Request`/`Response`: Workers, Deno, the async worker) and
 * src/runtime/node/native-invoke.ts (Node's `IncomingMessage`/`ServerResponse` over a pooled client).
 */
import type { Admission, GateRequest, InvocationGate } from '../access/invocation-gate.ts'
import { functionTimeoutMs } from '../contract/function-timeout.ts'
import type { HeaderMap, HeaderReader } from '../http/header-map.ts'
import type { Logger } from '../logger.ts'
import { functionLabel, type GatewayMetrics } from '../metrics/types.ts'
import { parseFunctionPath } from '../routing/function-path.ts'
import type { CallerOrigin } from '../routing/locality.ts'
import type { RouteCache } from '../routing/route-cache.ts'
import type { BackendRouter } from '../routing/router.ts'
import type { FunctionRecord } from '../store/types.ts'
import type { Answer } from './attempt-outcome.ts'
import { CallControl } from './call-control.ts'
import { type Expiring, perCallDeadlines } from './deadlines.ts'
import { type Call, deliver, notFound, type Transport } from './deliver.ts'
import { type CallIdentity, proxyErrorHeaders } from './headers.ts'
import type { ScaleFromZero } from './scale-from-zero.ts'

export interface InvocationDeps {
  routes: RouteCache
  router: BackendRouter
  scaleFromZero: ScaleFromZero
  metrics: GatewayMetrics | null
  logger: Logger
  /**
   * The one seam where a found function's call is admitted before delivery, for every transport: invoke
   * auth and rate limits (src/access/); absent: every call is admitted.
   */
  gate?: InvocationGate | undefined
  defaultNamespace: string
  /** Gateway-wide cap on one upstream call (OpenFaaS `upstream_timeout`). */
  upstreamTimeoutMs: number
  /** Bytes of a request body kept so a call can be resent to another backend. */
  resendBodyLimit: number
  /** `X-Served-By` value. */
  servedBy: string
}

/** A transport's view of the caller's request. */
export interface InvocationIO<H extends HeaderMap, B> {
  method: string
  /** The raw path, already checked, starting with `/function/`. */
  pathname: string
  /** `?…` or empty. */
  search: string
  clientAddress: string | undefined
  /** What the gate reads of the request (its headers; a Web transport passes the Request itself). */
  gateRequest: GateRequest
  /** The caller's headers, as received. */
  headers: HeaderReader
  /**
   * The headers to send the function: the caller's with the OpenFaaS rules applied (headers.ts: the
   * Web transport's `upstreamHeaders`, or a transport's one pass calling the same rules), a new copy
   * the call then edits (the admission's changes).
   */
  upstreamHeaders(forwardsBody: boolean): { headers: H; call: CallIdentity }
  /** The caller's body; asked for only when it is forwarded (never for GET and HEAD). */
  body(): B | null
  callerGone(): boolean
  /** Calls `listener` when the caller leaves; returns the unsubscribe. */
  onCallerGone(listener: (reason: unknown) => void): () => void
  /** Where the caller is (Workers' `request.cf`), for locality; absent elsewhere. */
  origin?: CallerOrigin | null
}

export type InvocationResult<R> =
  /** The function's answer: the transport passes it on with the `call`'s headers (headers.ts `decorate`). */
  | { kind: 'answer'; answer: R; call: CallIdentity; backend: string }
  /** The gateway's own answer, text `message` with `headers`. */
  | { kind: 'refused'; status: number; message: string; headers: Record<string, string> }
  /** The gate's refusal (401, 403, 404 for a private function, 429), to send as it is. */
  | { kind: 'gate'; response: Response }

export type RunInvocation = <H extends HeaderMap, B, R extends Answer>(
  transport: Transport<H, B, R>,
  io: InvocationIO<H, B>,
) => Promise<InvocationResult<R>>

const PREFIX = '/function/'
const NOTHING_TO_CHANGE: Admission = {}
/**
 * How much longer than the function's timeout the gateway waits: a backend that enforces the timeout
 * itself (the classic watchdog's `exec_timeout`) gets to send its own answer (408 `Killed process.`)
 * instead of the caller getting the gateway's 502.
 */
const BACKEND_TIMEOUT_GRACE_MS = 500

export function createInvocation(deps: InvocationDeps): RunInvocation {
  const delivery = {
    router: deps.router,
    scaleFromZero: deps.scaleFromZero,
    resendBodyLimit: deps.resendBodyLimit,
  }

  /**
   * From a found function on: admission, then the call. Synchronous up to the first attempt when the
   * gate needs nothing awaited (no invoke auth, no rate limit): the common case costs no extra Promise.
   */
  function admitted<H extends HeaderMap, B, R extends Answer>(
    transport: Transport<H, B, R>,
    io: InvocationIO<H, B>,
    fn: FunctionRecord,
    rest: string,
    started: number,
  ): Promise<InvocationResult<R>> {
    const admission = deps.gate
      ? deps.gate.admit(fn, io.gateRequest, io.clientAddress, io.search)
      : NOTHING_TO_CHANGE
    if (admission instanceof Promise) {
      return admission.then((a) =>
        a instanceof Response
          ? { kind: 'gate', response: a }
          : call(transport, io, fn, rest + (a.search ?? io.search), a, started),
      )
    }
    if (admission instanceof Response) return Promise.resolve({ kind: 'gate', response: admission })
    return call(transport, io, fn, rest + (admission.search ?? io.search), admission, started)
  }

  async function call<H extends HeaderMap, B, R extends Answer>(
    transport: Transport<H, B, R>,
    io: InvocationIO<H, B>,
    fn: FunctionRecord,
    path: string,
    admission: Admission,
    started: number,
  ): Promise<InvocationResult<R>> {
    const label = functionLabel(fn.name, fn.namespace)
    deps.metrics?.invocationStarted(label)

    // GET and HEAD carry no body; not asking for it keeps a lazy request unmaterialised. The caller's
    // body, if it sent one anyway, was framed and is discarded by the runtime's server.
    const forwardsBody = io.method !== 'GET' && io.method !== 'HEAD'
    const { headers, call: identity } = io.upstreamHeaders(forwardsBody)
    admission.apply?.(headers)
    const running = new RunningCall(fn, label, path, headers, forwardsBody ? io.body() : null, io)
    const deadline = (transport.deadlines ?? perCallDeadlines).after(
      functionTimeoutMs(fn.spec.annotations, deps.upstreamTimeoutMs) + BACKEND_TIMEOUT_GRACE_MS,
      running,
    )
    const unsubscribe = io.onCallerGone((reason) => running.left(reason))
    try {
      const result = await deliver(delivery, transport, running)
      // The timeout bounds the wait for the response to start; a streamed body (SSE, NDJSON) may then
      // run as long as the function keeps writing and the caller keeps reading.
      if (result.kind === 'response') {
        deps.metrics?.invocationFinished(label, result.response.status, (performance.now() - started) / 1000)
        return { kind: 'answer', answer: result.response, call: identity, backend: result.backend }
      }
      if (result.status === 502 && !running.callerGone() && !running.timedOut()) {
        deps.logger.warn('invocation failed', { function: label, error: result.cause ?? result.message })
      }
      deps.metrics?.invocationFinished(label, result.status, (performance.now() - started) / 1000)
      return refused(result.status, result.message, result.backend)
    } finally {
      deadline.cancel()
      unsubscribe()
    }
  }

  return (transport, io) => {
    const started = performance.now()
    const target = parseFunctionPath(io.pathname, PREFIX, deps.defaultNamespace)
    if (!target) return Promise.resolve(refused(404, 'error finding function: no such function', null))
    const { name, namespace, rest } = target
    const missing = () => refused<never>(404, notFound(functionLabel(name, namespace)), null)
    // The route cache's answer without a Promise when it is fresh (the steady state).
    const known = deps.routes.peek?.(namespace, name)
    if (known !== undefined) {
      return known ? admitted(transport, io, known, rest, started) : Promise.resolve(missing())
    }
    return deps.routes
      .get(namespace, name)
      .then((fn) => (fn ? admitted(transport, io, fn, rest, started) : missing()))
  }
}

/**
 * One call on its way, as deliver() sees it (`Call`) and as its deadline ends it (`Expiring`): one
 * object with its methods on the prototype, in place of a literal with a getter and closures per call.
 */
class RunningCall<H extends HeaderMap, B> implements Call<H, B>, Expiring {
  readonly fn: FunctionRecord
  readonly label: string
  readonly path: string
  readonly method: string
  readonly headers: H
  readonly body: B | null
  readonly origin: CallerOrigin | null
  /** One control for both ways a call ends early; an AbortSignal is made only if a provider asks. */
  readonly control = new CallControl()
  readonly #io: InvocationIO<H, B>
  #timedOut = false
  #gone = false

  constructor(
    fn: FunctionRecord,
    label: string,
    path: string,
    headers: H,
    body: B | null,
    io: InvocationIO<H, B>,
  ) {
    this.fn = fn
    this.label = label
    this.path = path
    this.method = io.method
    this.headers = headers
    this.body = body
    this.origin = io.origin ?? null
    this.#io = io
  }

  get signal(): AbortSignal {
    return this.control.signal
  }

  timedOut(): boolean {
    return this.#timedOut
  }

  callerGone(): boolean {
    return this.#gone || this.#io.callerGone()
  }

  /** The function's timeout (with the backend's grace) ran out before its answer started. */
  expire(): void {
    this.#timedOut = true
    this.control.abort(new Error('upstream timeout'))
  }

  /** The caller went away. */
  left(reason: unknown): void {
    this.#gone = true
    this.control.abort(reason)
  }
}

function refused<R>(status: number, message: string, backend: string | null): InvocationResult<R> {
  return { kind: 'refused', status, message, headers: proxyErrorHeaders(backend) }
}
