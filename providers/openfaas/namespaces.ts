/**
 * @module
 * Which backend namespace holds a gateway namespace (options.ts `OpenFaasNamespaces` has the rules).
 * Backends differ: faasd, OpenFaaS Pro and edgefaas keep many namespaces and create them on request;
 * faas-netes CE has exactly one and cannot create more; faas-memory and other small providers have none
 * (`/system/namespaces` answers 404 or `[]`, and statuses carry no `namespace`). A backend with one
 * namespace or none holds one gateway namespace only: merging several into it would let same-named
 * functions of different namespaces overwrite each other on the backend, so the others are refused.
 */
import type { ProviderCapabilities } from '../types.ts'
import { ProviderError } from '../types.ts'
import type { BackendApi } from './backend-api.ts'
import { backendError, discard } from './errors.ts'
import type { ResolvedOptions } from './options.ts'

/** What the backend has: its namespaces, or none at all. */
type Discovered = { kind: 'none' } | { kind: 'list'; names: Set<string> }

const CANNOT_CREATE = new Set([404, 405, 501])

export class NamespaceMap {
  readonly #api: BackendApi
  readonly #options: ResolvedOptions
  readonly #capabilities: ProviderCapabilities
  readonly #resolved = new Map<string, string | null>()
  #discovered: Promise<Discovered> | null = null

  constructor(api: BackendApi, options: ResolvedOptions, capabilities: ProviderCapabilities) {
    this.#api = api
    this.#options = options
    this.#capabilities = capabilities
  }

  /**
   * For a deploy: the backend namespace for `namespace` (null when the backend has none: nothing is
   * sent), created on the backend when it lacks it and can make it; INVALID when it cannot hold it.
   */
  async place(namespace: string): Promise<string | null> {
    const setting = this.#options.namespaces
    if (setting === 'passthrough') return namespace
    if (typeof setting === 'object') return this.#single(namespace, setting.serves, setting.backend)
    const known = this.#resolved.get(namespace)
    if (known !== undefined) return known
    const discovered = await this.#discover()
    if (discovered.kind === 'none') {
      const wire = this.#single(namespace, this.#options.defaultNamespace, null)
      this.#resolved.set(namespace, wire)
      return wire
    }
    if (discovered.names.has(namespace)) {
      this.#resolved.set(namespace, namespace)
      return namespace
    }
    if (await this.#create(namespace)) {
      discovered.names.add(namespace)
      this.#resolved.set(namespace, namespace)
      return namespace
    }
    const single = this.#onlyOne(namespace, discovered)
    if (single !== undefined) {
      this.#resolved.set(namespace, single)
      return single
    }
    throw new ProviderError(
      'INVALID',
      `namespace "${namespace}" does not exist on backend ${this.#api.shown} (it has: ${[...discovered.names].join(', ')}) ` +
        'and the backend cannot create namespaces; create it there, or place the function on another backend',
    )
  }

  /**
   * For reads and removal: where a function of `namespace` would be on the backend, or undefined when
   * none can be there (the backend cannot hold the namespace, or does not have it yet). Creates nothing.
   */
  async find(namespace: string): Promise<string | null | undefined> {
    const setting = this.#options.namespaces
    if (setting === 'passthrough') return namespace
    if (typeof setting === 'object')
      return this.#tryIn(() => this.#single(namespace, setting.serves, setting.backend))
    const known = this.#resolved.get(namespace)
    if (known !== undefined) return known
    const discovered = await this.#discover()
    // Not remembered: only a deploy learns whether the backend could have made the namespace instead.
    return this.#known(namespace, discovered) ?? this.#onlyOne(namespace, discovered)
  }

  /** Forgets what was learnt, e.g. after the backend refused a namespace it had listed. */
  forget(): void {
    this.#resolved.clear()
    this.#discovered = null
  }

  #discover(): Promise<Discovered> {
    this.#discovered ??= this.#list().catch((error: unknown) => {
      this.#discovered = null
      throw error
    })
    return this.#discovered
  }

  /** What the backend's own list settles: a namespace it has, or the one rule of a backend without any. */
  #known(namespace: string, discovered: Discovered): string | null | undefined {
    if (discovered.kind === 'none')
      return this.#tryIn(() => this.#single(namespace, this.#options.defaultNamespace, null))
    return discovered.names.has(namespace) ? namespace : undefined
  }

  /** A backend with exactly one namespace, which it cannot add to, holds the default namespace in it. */
  #onlyOne(namespace: string, discovered: Discovered): string | undefined {
    if (discovered.kind !== 'list' || discovered.names.size !== 1) return undefined
    if (namespace !== this.#options.defaultNamespace) return undefined
    this.#capabilities.namespaces = false
    return [...discovered.names][0]
  }

  /** undefined where `resolve` refuses the namespace. */
  #tryIn(resolve: () => string | null): string | null | undefined {
    try {
      return resolve()
    } catch (error) {
      if (ProviderError.is(error) && error.code === 'INVALID') return undefined
      throw error
    }
  }

  #single(namespace: string, serves: string, backend: string | null): string | null {
    this.#capabilities.namespaces = false
    if (namespace === serves) return backend
    const holds = backend === null ? 'has no namespaces' : `has one namespace ("${backend}")`
    throw new ProviderError(
      'INVALID',
      `backend ${this.#api.shown} ${holds} and holds only this gateway's namespace "${serves}"; ` +
        `functions of namespace "${namespace}" must be placed on another backend`,
    )
  }

  async #list(): Promise<Discovered> {
    const response = await this.#api.call('GET', '/system/namespaces')
    if (CANNOT_CREATE.has(response.status)) {
      await discard(response)
      return { kind: 'none' }
    }
    if (!response.ok) throw await backendError(response, 'listing namespaces', this.#api.shown)
    const body: unknown = await response.json().catch(() => null)
    if (!Array.isArray(body) || !body.every((n) => typeof n === 'string')) {
      throw new ProviderError(
        'INTERNAL',
        `backend ${this.#api.shown} answered /system/namespaces with something other than a list of names`,
      )
    }
    return body.length === 0 ? { kind: 'none' } : { kind: 'list', names: new Set(body) }
  }

  /** Creates `namespace` on the backend as faas-cli does; false when the backend cannot create namespaces. */
  async #create(namespace: string): Promise<boolean> {
    const response = await this.#api.call('POST', '/system/namespace/', {
      // faasd accepts only namespaces labelled openfaas=1; go-sdk sets both the label and the annotation.
      json: { name: namespace, labels: { openfaas: '1' }, annotations: { openfaas: '1' } },
    })
    if (response.ok || response.status === 409) {
      await discard(response)
      return true
    }
    if (CANNOT_CREATE.has(response.status)) {
      await discard(response)
      return false
    }
    throw await backendError(response, `creating namespace "${namespace}"`, this.#api.shown)
  }
}
