/**
 * @module
 * The openfaas provider: the Provider interface over a backend's OpenFaaS HTTP API (index.ts has the
 * overview). This file maps each method onto the backend's routes; the quirks live next to the code
 * that handles them (deploy.ts, namespaces.ts, secrets.ts, status.ts, invoke.ts, logs.ts, info.ts).
 */

import { isDns1123Label } from '../../src/contract/names.ts'
import type { LogMessage, LogRequest, ProviderInfo } from '../../src/contract/types.ts'
import { HttpTransportError, splitOrigin } from '../../src/http/client.ts'
import {
  type DesiredFunction,
  type InstanceInfo,
  type InvocationRequest,
  type InvocationTarget,
  type InvocationTargetRequest,
  type ObservedFunction,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
} from '../types.ts'
import { BackendApi } from './backend-api.ts'
import { deploymentOf, putOrPost } from './deploy.ts'
import { backendError, discard, shortText } from './errors.ts'
import { providerInfoFrom } from './info.ts'
import { checkFunctionPath, forwardInvocation, isBackendInternalError, untilAborted } from './invoke.ts'
import { readLogs } from './logs.ts'
import { NamespaceMap } from './namespaces.ts'
import type { ResolvedOptions } from './options.ts'
import { type Readiness, ReadinessCache } from './readiness.ts'
import { writeSecrets } from './secrets.ts'
import { observedFrom, readJson } from './status.ts'

/** The backend's answers pass on whole (less hop-by-hop headers): its X-OpenFaaS-Internal is read by routing. */
const NOTHING_DROPPED: ReadonlySet<string> = new Set()

export class OpenFaasProvider implements Provider {
  readonly kind = 'openfaas'
  readonly scope = 'shared'
  /** What the backend supports; starts from the options and is narrowed as the backend answers 501. */
  readonly capabilities: ProviderCapabilities
  readonly #options: ResolvedOptions
  readonly #api: BackendApi
  readonly #namespaces: NamespaceMap
  readonly #readiness: ReadinessCache
  #closed = false
  /**
   * Whether the functions running this backend's calls die with its gateway, as its last
   * `/system/info` said: an edgefaas whose only backend is its own local processes (they are killed
   * with it: bubblewrap's --die-with-parent, or a parent-death signal). False until it has said so.
   */
  #callsDieWithGateway = false

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.capabilities = { ...options.capabilities }
    this.#api = new BackendApi(options)
    this.#namespaces = new NamespaceMap(this.#api, options, this.capabilities)
    this.#readiness = new ReadinessCache((ns, name) => this.#fetchStatus(ns, name), options.readyCacheMs)
  }

  /** The backend's URL, as shown in messages. */
  get url(): string {
    return this.#options.shown
  }

  async info(): Promise<ProviderInfo> {
    const response = await this.#api.call('GET', '/system/info')
    if (!response.ok) throw await backendError(response, 'reading /system/info', this.#api.shown)
    const info = providerInfoFrom(
      await readJson(response, 'reading /system/info', this.#api.shown),
      this.#api.shown,
    )
    this.#callsDieWithGateway = info.provider === 'edgefaas' && info.orchestration === 'local'
    return info
  }

  /**
   * After a call was cut with no answer: true when the backend's gateway is gone (a fresh connection
   * to it is refused or cut before an answer) and its functions die with it, so the call cannot
   * complete there. A backend that answers, is slow to, or whose functions outlive its gateway
   * (OpenFaaS, faasd, or an edgefaas in front of other backends) is never taken for crashed.
   */
  async crashedWithCalls(): Promise<boolean> {
    if (!this.#callsDieWithGateway) return false
    try {
      const response = await this.#api.call('GET', '/healthz', {
        signal: AbortSignal.timeout(CRASH_CHECK_MS),
      })
      await discard(response)
      return false
    } catch (error) {
      return ProviderError.is(error) && error.code === 'UNAVAILABLE' && HttpTransportError.is(error.cause)
    }
  }

  async apply(desired: DesiredFunction): Promise<ObservedFunction> {
    this.#checkOpen()
    const { name, namespace } = desired
    const label = checkNames(namespace, name)
    if (!Number.isInteger(desired.replicas) || desired.replicas < 0)
      throw new ProviderError('INVALID', `deploying ${label}: replicas must be a whole number ≥ 0`)
    const wire = await this.#namespaces.place(namespace)
    await writeSecrets(this.#api, this.capabilities, wire, desired.spec.secrets ?? [], desired.secrets, label)
    try {
      await putOrPost(this.#api, deploymentOf(desired, wire), label)
    } catch (error) {
      // A namespace the backend listed may be gone since; learn it again on the next attempt.
      if (ProviderError.is(error) && error.code === 'INVALID') this.#namespaces.forget()
      throw error
    }
    // A deploy starts the function at its `com.openfaas.scale.min` (or 1) and an update may keep what
    // ran before, so the replica count is set on its own when it differs.
    const observed = (await this.#fetchStatus(namespace, name)) ?? { replicas: 0, availableReplicas: 0 }
    if (observed.replicas !== desired.replicas) await this.scale(namespace, name, desired.replicas)
    const result = {
      replicas: desired.replicas,
      availableReplicas: Math.min(observed.availableReplicas, desired.replicas),
    }
    this.#readiness.record(namespace, name, result)
    return result
  }

  async remove(namespace: string, name: string): Promise<void> {
    const label = checkNames(namespace, name)
    this.#readiness.forget(namespace, name)
    const wire = await this.#namespaces.find(namespace)
    // A namespace the backend cannot hold has no function there to remove.
    if (wire === undefined) return
    // faas-netes reads the namespace from the query, faasd from the body: both get it (contract §10.2).
    const response = await this.#api.call('DELETE', '/system/functions', {
      json: { functionName: name, ...(wire === null ? {} : { namespace: wire }) },
      query: { namespace: wire ?? undefined },
    })
    if (response.status === 404) return discard(response)
    if (!response.ok) throw await backendError(response, `removing ${label}`, this.#api.shown)
    await discard(response)
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    const label = checkNames(namespace, name)
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ProviderError('INVALID', `scaling ${label}: replicas must be a whole number ≥ 0`)
    if (replicas === 0 && !this.capabilities.scaleToZero)
      throw this.#noScaleToZero(label, 'it refused before')
    this.#readiness.forget(namespace, name)
    const wire = await this.#namespaces.find(namespace)
    if (wire === undefined) throw this.#absent(label)
    // faas-netes takes the name from the path and the namespace from the query; faasd takes both from
    // the body (`serviceName`, `namespace`). They are sent in both places and agree (contract §1.5.5).
    const response = await this.#api.call('POST', `/system/scale-function/${name}`, {
      json: { serviceName: name, replicas, ...(wire === null ? {} : { namespace: wire }) },
      query: { namespace: wire ?? undefined },
    })
    if (response.status === 404) {
      await discard(response)
      throw this.#absent(label)
    }
    if (replicas === 0 && response.status === 400) {
      // faas-netes CE and faasd CE refuse zero replicas with 400.
      throw this.#noScaleToZero(label, `it answered 400: ${await shortText(response)}`)
    }
    if (!response.ok) throw await backendError(response, `scaling ${label}`, this.#api.shown)
    await discard(response)
    if (replicas === 0) {
      // The OpenFaaS CE gateway raises 0 to 1 (and lowers >5 to 5) and still answers 2xx: only the
      // status tells. A backend that did not go to zero must not be taken for one that did.
      const after = await this.#fetchStatus(namespace, name)
      if (after && after.replicas > 0)
        throw this.#noScaleToZero(label, `it kept ${after.replicas} replica(s)`)
    }
  }

  async status(namespace: string, name: string): Promise<ObservedFunction | null> {
    checkNames(namespace, name)
    const observed = await this.#fetchStatus(namespace, name)
    this.#readiness.record(namespace, name, observed)
    return observed
  }

  /** Derived from the status: the backend API names no instances. Ready ones first. */
  async instances(namespace: string, name: string): Promise<InstanceInfo[]> {
    const observed = await this.status(namespace, name)
    if (!observed) return []
    const count = Math.max(observed.replicas, observed.availableReplicas)
    return Array.from({ length: count }, (_, i) => ({
      id: `${name}-${i + 1}`,
      ready: i < observed.availableReplicas,
    }))
  }

  async invoke(namespace: string, name: string, path: string, request: InvocationRequest): Promise<Response> {
    const target = await this.target(namespace, name, path, {
      method: request.method,
      hasBody: request.body !== null,
      signal: request.signal,
    })
    const response = await forwardInvocation(
      this.#options.http,
      target.origin + target.path,
      request,
      this.#api.shown,
    )
    try {
      target.answered(response.status, isBackendInternalError(response))
    } catch (error) {
      await discard(response)
      throw error
    }
    return response
  }

  /** Decided before the body is touched, so the gateway can hold the call and send it again. */
  async target(
    namespace: string,
    name: string,
    path: string,
    request: InvocationTargetRequest,
  ): Promise<InvocationTarget & Required<Pick<InvocationTarget, 'answered'>>> {
    this.#checkOpen()
    const label = checkNames(namespace, name)
    checkFunctionPath(path)
    let wire: string | null | undefined
    let readiness: Readiness
    try {
      wire = await untilAborted(this.#namespaces.find(namespace), request.signal)
      readiness =
        wire === undefined
          ? 'absent'
          : await untilAborted(this.#readiness.check(namespace, name), request.signal)
    } catch (error) {
      throw notSent(error, request.signal)
    }
    if (readiness === 'absent') throw this.#absent(label)
    if (readiness === 'not-ready' && this.#options.scaleFromZero === 'edgefaas')
      throw new ProviderError(
        'NOT_READY',
        `function ${label} has no ready replica on backend ${this.#api.shown}`,
      )
    const fn = wire ? `${name}.${wire}` : name
    const { origin, path: base } = splitOrigin(this.#options.base)
    return {
      origin,
      path: `${base === '/' ? '' : base}/function/${fn}${path}`,
      dropResponseHeaders: NOTHING_DROPPED,
      answered: (status, internal) => {
        if (!internal) return
        // What we believed about the function is wrong (scaled down, moved, its replica gone).
        this.#readiness.forget(namespace, name)
        // No endpoint to send to, and no body was read: the gateway may still hold the call and resend it.
        if (status === 503 && !request.hasBody && this.#options.scaleFromZero === 'edgefaas') {
          throw new ProviderError(
            'NOT_READY',
            `function ${label} has no ready replica on backend ${this.#api.shown}`,
          )
        }
      },
    }
  }

  logs(request: LogRequest, signal: AbortSignal): AsyncIterable<LogMessage> {
    const label = checkNames(request.namespace, request.name)
    if (!this.capabilities.logs)
      throw new ProviderError('UNSUPPORTED', `backend ${this.#api.shown} does not serve logs (${label})`)
    const api = this.#api
    const capabilities = this.capabilities
    const namespaces = this.#namespaces
    return (async function* () {
      const wire = await namespaces.find(request.namespace)
      if (wire === undefined)
        throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${api.shown}`)
      yield* readLogs(api, capabilities, wire, request, signal)
    })()
  }

  /** Nothing to stop: the HTTP client (and its connections) belongs to whoever made it. */
  async close(): Promise<void> {
    this.#closed = true
  }

  async #fetchStatus(namespace: string, name: string): Promise<ObservedFunction | null> {
    const wire = await this.#namespaces.find(namespace)
    if (wire === undefined) return null
    const response = await this.#api.call('GET', `/system/function/${name}`, {
      // usage=false as the OpenFaaS gateway's own lookups send it: no metrics query on the backend.
      query: { namespace: wire ?? undefined, usage: 'false' },
    })
    if (response.status === 404) {
      await discard(response)
      return null
    }
    const what = `reading the status of ${name}.${namespace}`
    if (!response.ok) throw await backendError(response, what, this.#api.shown)
    return observedFrom(await readJson(response, what, this.#api.shown), this.#api.shown)
  }

  #absent(label: string): ProviderError {
    return new ProviderError('NOT_FOUND', `function ${label} is not on backend ${this.#api.shown}`)
  }

  #noScaleToZero(label: string, why: string): ProviderError {
    this.capabilities.scaleToZero = false
    return new ProviderError(
      'UNSUPPORTED',
      `scaling ${label} to zero: backend ${this.#api.shown} does not scale to zero (${why}); ` +
        'keep com.openfaas.scale.min at 1 or more for functions placed on it',
    )
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProviderError('UNAVAILABLE', `the provider for ${this.#api.shown} is closed`)
  }
}

/** How long the check for a crashed backend waits for a connection or an answer (a dead port refuses at once). */
const CRASH_CHECK_MS = 1000

/**
 * A failure of the checks made before the call is sent (the namespace map, the readiness status): the
 * call itself reached nothing, whatever became of those requests (a status request that timed out
 * may have been received), so the gateway may send it to another backend.
 */
function notSent(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || !ProviderError.is(error) || error.code !== 'UNAVAILABLE') return error
  if (HttpTransportError.is(error.cause) && error.cause.beforeSend) return error
  return new ProviderError('UNAVAILABLE', error.message, {
    cause: new HttpTransportError(`the call was not sent: ${error.message}`, {
      beforeSend: true,
      cause: error.cause,
    }),
  })
}

/** Names go into URL paths: only DNS-1123 labels, which cannot climb out of them. Returns `name.namespace`. */
function checkNames(namespace: string, name: string): string {
  if (!isDns1123Label(name) || !isDns1123Label(namespace)) {
    throw new ProviderError('INVALID', 'function and namespace names must be DNS-1123 labels (a-z, 0-9, -)')
  }
  return `${name}.${namespace}`
}
