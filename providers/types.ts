/**
 * @module
 * The Provider interface: what the gateway needs from a backend (a faas-netes/faasd cluster, AWS Lambda,
 * ECS, local processes). Narrow on purpose, with capabilities declared as data: a capability a provider
 * lacks is answered 501 by the gateway, never silently ignored. Every provider runs
 * test/conformance/provider.suite.ts.
 */
import type { FunctionDeployment, LogMessage, LogRequest, ProviderInfo } from '../src/contract/types.ts'

export interface ProviderCapabilities {
  /** Can change the replica count. */
  scale: boolean
  /** Can run zero replicas and come back. */
  scaleToZero: boolean
  /** Serves function logs. */
  logs: boolean
  /** Can mount secrets into functions. */
  secrets: boolean
  /** Keeps functions of different namespaces apart. */
  namespaces: boolean
}

/** What the reconciler asks a provider to run: the whole desired state of one function. */
export interface DesiredFunction {
  name: string
  namespace: string
  spec: Omit<FunctionDeployment, 'service' | 'namespace'>
  replicas: number
  generation: number
  /** Decrypted values of the secrets named in `spec.secrets`. */
  secrets: Record<string, Uint8Array>
}

/** What a provider reports about one function. */
export interface ObservedFunction {
  replicas: number
  availableReplicas: number
}

/** One running copy of a function, for logs and diagnostics. */
export interface InstanceInfo {
  id: string
  ready: boolean
  pid?: number
}

export type ProviderErrorCode =
  | 'NOT_FOUND' // the function is not on this backend; from invoke, thrown before the request body is read
  | 'INVALID' // the backend refused the request as malformed (user error)
  | 'UNSUPPORTED' // capability missing: 501
  | 'NOT_READY' // the function exists but has no ready replica; thrown before the request body is read
  | 'UNAVAILABLE' // backend unreachable (retry later)
  | 'INTERNAL' // anything else

const USER_ERRORS: ReadonlySet<ProviderErrorCode> = new Set(['NOT_FOUND', 'INVALID', 'UNSUPPORTED'])
const BRAND = Symbol.for('edgefaas.ProviderError')

/** A failure from a backend, with a typed code; the original error is kept as `cause`. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode
  readonly [BRAND] = true
  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ProviderError'
    this.code = code
  }
  /** True when the caller's request, not the backend, is at fault. */
  isUserError(): boolean {
    return USER_ERRORS.has(this.code)
  }
  /** Brand check that survives duplicated module copies across bundles (unlike instanceof). */
  static is(value: unknown): value is ProviderError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true
  }
}

/**
 * One invocation as the gateway hands it to a provider: the parts of a Web `Request` a provider needs.
 * A `Request` satisfies it; the gateway passes a plain object so the hot path builds no Request.
 */
export interface InvocationRequest {
  readonly method: string
  readonly headers: Headers
  /** null for requests without a body (GET, HEAD). */
  readonly body: ReadableStream<Uint8Array> | null
  /** Aborted when the caller goes away or the gateway's timeout for the call expires. */
  readonly signal: AbortSignal
}

/** What a provider decides about one invocation before it is sent: see {@link Provider.target}. */
export interface InvocationTargetRequest {
  readonly method: string
  /** Whether a body will be sent (NOT_READY after an answer is only possible without one). */
  readonly hasBody: boolean
  readonly signal: AbortSignal
}

/**
 * Where one invocation goes, for a runtime that sends it with its own pooled client (Node's native
 * transport) instead of through {@link Provider.invoke}. The runtime sends the caller's method, headers
 * (less hop-by-hop ones and `Host`) and body to `origin` + `path`.
 */
export interface InvocationTarget {
  /** `http://host:port` or `https://host:port`, no path. */
  readonly origin: string
  /** Path and query, sent exactly as given. */
  readonly path: string
  /** Response headers (lower-case) never passed on from this target, beyond hop-by-hop ones. */
  readonly dropResponseHeaders: ReadonlySet<string>
  /**
   * Sees the head of the answer before anything of it is passed on; throws a ProviderError (NOT_READY)
   * when the answer says the call reached no function and may be held or sent elsewhere (the runtime
   * then discards the answer).
   */
  answered?(status: number, internal: boolean): void
  /** Called once when the exchange is over: body read to its end, failed or abandoned, or not sent. */
  done?(): void
}

export interface Provider {
  /** Provider kind, e.g. `local`. */
  readonly kind: string
  readonly capabilities: ProviderCapabilities
  /**
   * `instance`: the backend lives inside this gateway process (local processes), so every gateway
   * reconciles its own. `shared`: one backend for all gateways; background loops take a lease.
   */
  readonly scope: 'instance' | 'shared'

  info(): Promise<ProviderInfo>
  /**
   * Optional: whether this backend can ever run a function of this spec. null when it can; else what
   * the user must change, in a sentence (it is the 400's message). Asked at deploy and update once
   * placement has put the function here, before anything is written, so a spec this backend can never
   * run is refused at the edge instead of being accepted and failing every call. Pure and quick: no
   * I/O, no state (the same answer on every gateway). Absent: the backend finds out in `apply`.
   */
  checkSpec?(spec: DesiredFunction['spec']): string | null
  /** Creates or updates the function to match `desired`, including its replica count. Idempotent. */
  apply(desired: DesiredFunction): Promise<ObservedFunction>
  /** Removes the function; removing an absent function succeeds. */
  remove(namespace: string, name: string): Promise<void>
  /** Sets the replica count of a deployed function. NOT_FOUND if absent; UNSUPPORTED without the capability. */
  scale(namespace: string, name: string, replicas: number): Promise<void>
  /** Current state, or null when the function is not on this backend. */
  status(namespace: string, name: string): Promise<ObservedFunction | null>
  /** Running instances of the function (empty when absent). */
  instances(namespace: string, name: string): Promise<InstanceInfo[]>
  /**
   * Sends one invocation to the function. `path` is what follows `/function/<name>` (at least `/`),
   * with the raw query string appended. The request's method, headers and body are forwarded as they are.
   */
  invoke(namespace: string, name: string, path: string, request: InvocationRequest): Promise<Response>
  /**
   * Optional: where an invocation would go, decided as `invoke` decides it (NOT_FOUND and NOT_READY
   * thrown before any body is read), for a runtime with its own pooled HTTP client. A provider without
   * it is reached through `invoke` by every transport.
   */
  target?(
    namespace: string,
    name: string,
    path: string,
    request: InvocationTargetRequest,
  ): Promise<InvocationTarget>
  /**
   * Optional: `target` without a Promise, for a provider that knows at once (local processes): one
   * Promise and microtask less per call on the hot path. Throws what `target` would reject with;
   * `undefined` when it cannot tell at once (a worker process without its replica table yet): the
   * caller then asks `target`.
   */
  targetNow?(
    namespace: string,
    name: string,
    path: string,
    request: InvocationTargetRequest,
  ): InvocationTarget | undefined
  /**
   * Optional: calls `listener` when a replica of the function turns ready on this backend; returns the
   * unsubscribe. A call held at zero then goes at once instead of at the next status poll.
   */
  onReady?(namespace: string, name: string, listener: () => void): () => void
  /** Log lines of the function's instances; UNSUPPORTED without the capability. */
  logs(request: LogRequest, signal: AbortSignal): AsyncIterable<LogMessage>
  /** Stops everything this provider started in this process (local processes, connections). */
  close(): Promise<void>
  /**
   * Asked after an invocation lost its connection with no byte of an answer. True only when the call
   * provably cannot complete there: the backend is gone (a fresh connection is refused or cut before
   * any answer) and the functions that were running its calls are known to die with it. The gateway
   * may then send the call to another placement. Absent: never provable (the gateway does not resend).
   */
  crashedWithCalls?(): Promise<boolean>
}
