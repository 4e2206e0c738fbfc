/**
 * @module
 * The local provider: functions as supervised processes on this host (see index.ts for the overview).
 * This file maps the Provider interface onto LocalFunction objects keyed by namespace and name.
 */
import pkg from '../../package.json' with { type: 'json' }
import { INTERNAL_HEADER } from '../../src/contract/internal-header.ts'
import type { LogMessage, LogRequest, ProviderInfo } from '../../src/contract/types.ts'
import {
  type DesiredFunction,
  type InstanceInfo,
  type InvocationRequest,
  type InvocationTarget,
  type ObservedFunction,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
} from '../types.ts'
import { releaseWhenRead } from './call-end.ts'
import { removeTree } from './files.ts'
import type { FunctionUsers } from './function-user.ts'
import type { RunnerSettings } from './launch.ts'
import { LocalFunction } from './local-function.ts'
import type { ResolvedOptions } from './options.ts'
import { Forwarder } from './proxy.ts'
import type { SandboxMode } from './sandbox.ts'
import { specProblem, validateDesired, validateReplicas } from './validate.ts'

/** What createLocalProvider returns: a Provider that also tells which sandbox it chose. */
export interface LocalProvider extends Provider, ReplicaTableSource {
  readonly sandbox: SandboxMode
}

/**
 * One routable replica as another gateway process sees it: where to send a call, whether pick() would
 * prefer it, and `hold()`, which counts one call in on the replica until the returned function runs, so
 * its retire waits for calls the other process sends it (see src/runtime/node/cluster/replica-table.ts).
 */
export interface ReplicaRoute {
  readonly id: string
  readonly origin: string
  readonly current: boolean
  hold(): () => void
}

/** Lets another process pick this provider's replicas itself (the multi-process gateway's workers). */
export interface ReplicaTableSource {
  /** The replicas a call to the function may go to now; empty when none is ready or it is not deployed. */
  replicaTable(namespace: string, name: string): ReplicaRoute[]
  /** Runs `listener` whenever a function's table may have changed; returns the unsubscribe. */
  onRoutingChange(listener: (namespace: string, name: string) => void): () => void
}

export function isReplicaTableSource(provider: unknown): provider is ReplicaTableSource {
  const p = provider as Partial<ReplicaTableSource> | null
  return typeof p?.replicaTable === 'function' && typeof p.onRoutingChange === 'function'
}

export interface LocalProviderSetup {
  options: ResolvedOptions
  runner: RunnerSettings
  /** This process's folder for function files (under dataDir, or /run/edgefaas in `user` mode). */
  root: string
  /** `user` mode: the uid of each function. */
  users?: FunctionUsers | undefined
}

export class LocalProviderImpl implements LocalProvider {
  readonly kind = 'local'
  readonly scope = 'instance'
  readonly capabilities: ProviderCapabilities = {
    scale: true,
    scaleToZero: true,
    logs: true,
    secrets: true,
    namespaces: true,
  }
  readonly sandbox: SandboxMode
  readonly #setup: LocalProviderSetup
  readonly #functions = new Map<string, LocalFunction>()
  /** `onReady` subscribers by function key. */
  readonly #readyListeners = new Map<string, Set<() => void>>()
  readonly #forwarder = new Forwarder()
  readonly #routingListeners = new Set<(namespace: string, name: string) => void>()
  #closed = false
  #warnedSecrets = false

  constructor(setup: LocalProviderSetup) {
    this.#setup = setup
    this.sandbox = setup.runner.sandbox
  }

  async info(): Promise<ProviderInfo> {
    return {
      provider: 'edgefaas-local',
      orchestration: 'process',
      version: { sha: 'local', release: pkg.version },
    }
  }

  checkSpec(spec: DesiredFunction['spec']): string | null {
    return specProblem(spec)
  }

  async apply(desired: DesiredFunction): Promise<ObservedFunction> {
    if (this.#closed) throw new ProviderError('UNAVAILABLE', 'the local provider is closed')
    validateDesired(desired)
    this.#warnAboutSecrets(desired)
    const key = keyOf(desired.namespace, desired.name)
    let fn = this.#functions.get(key)
    if (!fn) {
      const { options, runner, root, users } = this.#setup
      fn = new LocalFunction({
        ...options,
        runner: users ? { ...runner, user: users.acquire(key) } : runner,
        namespace: desired.namespace,
        name: desired.name,
        dir: `${root}/${key}`,
        onReady: () => {
          for (const listener of this.#readyListeners.get(key) ?? []) listener()
        },
        onRoutingChange: () => {
          for (const listener of this.#routingListeners) listener(desired.namespace, desired.name)
        },
      })
      this.#functions.set(key, fn)
    }
    try {
      await fn.update(desired)
    } catch (error) {
      if (!fn.deployed && this.#functions.get(key) === fn) {
        this.#functions.delete(key)
        this.#setup.users?.release(key)
        await fn.remove()
      }
      throw error
    }
    return fn.observed()
  }

  async remove(namespace: string, name: string): Promise<void> {
    const key = keyOf(namespace, name)
    const fn = this.#functions.get(key)
    if (!fn) return
    this.#functions.delete(key)
    // Released at once: a redeploy under the same name hashes to the same uid anyway.
    this.#setup.users?.release(key)
    await fn.remove()
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    validateReplicas(replicas)
    this.#get(namespace, name).scale(replicas)
  }

  async status(namespace: string, name: string): Promise<ObservedFunction | null> {
    return this.#functions.get(keyOf(namespace, name))?.observed() ?? null
  }

  async instances(namespace: string, name: string): Promise<InstanceInfo[]> {
    return this.#functions.get(keyOf(namespace, name))?.instances() ?? []
  }

  async invoke(namespace: string, name: string, path: string, request: InvocationRequest): Promise<Response> {
    const replica = this.#get(namespace, name).pick()
    if (!replica) throw new ProviderError('NOT_READY', `no ready replica of ${name}.${namespace}`)
    // Counted from here, synchronously after pick(): a replica that starts retiring now waits for it.
    const release = replica.enter()
    try {
      return releaseWhenRead(await this.#forwarder.forward(replica.port, path, request), release)
    } catch (error) {
      release()
      if (request.signal.aborted || ProviderError.is(error)) throw error
      throw new ProviderError(
        'UNAVAILABLE',
        `cannot reach ${name}.${namespace}: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }

  async target(namespace: string, name: string, path: string): Promise<InvocationTarget> {
    return this.targetNow(namespace, name, path)
  }

  /** The replica a call goes to, counted in from here until `done()` (see invoke). */
  targetNow(namespace: string, name: string, path: string): InvocationTarget {
    const replica = this.#get(namespace, name).pick()
    if (!replica) throw new ProviderError('NOT_READY', `no ready replica of ${name}.${namespace}`)
    const release = replica.enter()
    return {
      origin: `http://127.0.0.1:${replica.port}`,
      path: path.startsWith('/') ? path : `/${path}`,
      dropResponseHeaders: REPLICA_DROPPED_HEADERS,
      done: release,
    }
  }

  replicaTable(namespace: string, name: string): ReplicaRoute[] {
    const fn = this.#functions.get(keyOf(namespace, name))
    if (!fn) return []
    return fn.routable().map(({ replica, current }) => ({
      id: replica.id,
      origin: `http://127.0.0.1:${replica.port}`,
      current,
      hold: () => replica.enter(),
    }))
  }

  onRoutingChange(listener: (namespace: string, name: string) => void): () => void {
    this.#routingListeners.add(listener)
    return () => this.#routingListeners.delete(listener)
  }

  onReady(namespace: string, name: string, listener: () => void): () => void {
    const key = keyOf(namespace, name)
    let listeners = this.#readyListeners.get(key)
    if (!listeners) {
      listeners = new Set()
      this.#readyListeners.set(key, listeners)
    }
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && this.#readyListeners.get(key) === listeners)
        this.#readyListeners.delete(key)
    }
  }

  /** Throws NOT_FOUND at once (not on first iteration) for an unknown function. */
  logs(request: LogRequest, signal: AbortSignal): AsyncIterable<LogMessage> {
    return this.#get(request.namespace, request.name).logs.read(request, signal)
  }

  async close(): Promise<void> {
    this.#closed = true
    const functions = [...this.#functions.values()]
    this.#functions.clear()
    await Promise.all(functions.map((fn) => fn.remove()))
    this.#forwarder.close()
    await removeTree(this.#setup.root)
  }

  #get(namespace: string, name: string): LocalFunction {
    const fn = this.#functions.get(keyOf(namespace, name))
    if (!fn)
      throw new ProviderError(
        'NOT_FOUND',
        `function ${name}.${namespace} is not deployed on the local provider`,
      )
    return fn
  }

  #warnAboutSecrets(desired: DesiredFunction): void {
    if (this.sandbox === 'bwrap' || this.#warnedSecrets || (desired.spec.secrets ?? []).length === 0) return
    this.#warnedSecrets = true
    this.#setup.options.logger.warn(
      'without a sandbox, secrets cannot be mounted at /var/openfaas/secrets: they are files under ' +
        `${this.#setup.root}, given to functions as $OPENFAAS_SECRETS_DIR, and fprocess arguments under ` +
        '/var/openfaas/secrets/ are rewritten to point there',
    )
  }
}

/**
 * A replica's response headers never passed on (as the Forwarder drops them): `Host`, and
 * X-OpenFaaS-Internal, which marks the gateway's own answers: a function must not pass its error off as
 * one (a front door would count it against the whole backend and resend the call).
 */
export const REPLICA_DROPPED_HEADERS: ReadonlySet<string> = new Set(['host', INTERNAL_HEADER])

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`
}
