/**
 * @module
 * Backend name → Provider. The runtime hands one to createGateway: built-in backends (the local provider
 * on Node) plus every backend in the store, built from its record (src/backends/provider-for.ts) and
 * kept in line with the store, so a backend added through one gateway is usable by every gateway on the
 * same store within the route-cache bound (EDGEFAAS_ROUTE_CACHE_TTL_MS).
 *
 * `get` is synchronous and never waits for SQL, because it sits on the invocation path: a lookup that
 * finds the snapshot older than the bound starts a refresh in the background and answers from the
 * snapshot. The tick and every write through this gateway refresh it and wait. A changed backend gets a
 * new provider and the old one is closed; a deleted one is dropped. A name without a provider is a
 * backend this gateway cannot reach (`local` inside workerd, a record that cannot be built); deployments
 * to it stay pending with the reason rather than failing the deploy.
 */
import type { Provider } from '../../providers/types.ts'
import { type BackendHealth, createHealthBook, probe } from '../backends/health.ts'
import { type ProviderContext, providerFor } from '../backends/provider-for.ts'
import type { Logger } from '../logger.ts'
import type { BackendRecord, BackendStore } from '../store/types.ts'
import type { PlacementCandidate } from './placement.ts'

/** A backend this gateway knows of, as placement and `/system/backends` see it. */
export interface KnownBackend extends PlacementCandidate {
  kind: string
  /** Built into this gateway (the local provider): not created, changed or deleted through the API. */
  builtin: boolean
}

export interface ProviderRegistry {
  /** The provider of a backend, or undefined when this gateway cannot reach it. Never waits. */
  get(backend: string): Provider | undefined
  /** Backends known to this gateway, reachable or not. */
  has(backend: string): boolean
  entries(): Array<[string, Provider]>
  /** Every backend known as of the last refresh, built-ins included, in name order. */
  backends(): KnownBackend[]
  /** Reads the store now and brings the providers in line with it. */
  refresh(): Promise<void>
  /** What this gateway last saw of the backend's control plane. */
  health(backend: string): BackendHealth
  /** Checks every backend's control plane once (on the tick), or only `backend`, recording its health. */
  probe(backend?: string): Promise<void>
  /** Closes the providers this registry built (not the built-ins, which the runtime owns). */
  close(): Promise<void>
}

export interface StoreRegistryOptions {
  store: Pick<BackendStore, 'listBackends'>
  /** Backends built into this gateway, by name: `{ local }` on Node. */
  builtins?: Record<string, Provider>
  /** Names known although nothing here can reach them (`local` inside workerd). */
  unreachable?: string[]
  context: ProviderContext
  /** How stale the snapshot may get before a lookup refreshes it: the route-cache bound. */
  ttlMs: number
  logger: Logger
  now?: () => number
}

interface Built {
  provider: Provider
  /** What the provider was built from; a record that differs gets a new provider. */
  fingerprint: string
}

/**
 * A refresh still running after this long is treated as lost (in workerd, work left behind by a
 * finished request may never settle) and no longer waited for.
 */
const STUCK_MS = 10_000

/** A registry that follows the store's backends. Call `refresh()` once before serving. */
export function createStoreRegistry(options: StoreRegistryOptions): ProviderRegistry {
  const { store, context, ttlMs, logger } = options
  const builtins = new Map(Object.entries(options.builtins ?? {}))
  const unreachable = new Set(options.unreachable ?? [])
  const now = options.now ?? Date.now
  const health = createHealthBook()
  let built = new Map<string, Built>()
  /** Why a stored backend has no provider here, by name. */
  let unbuildable = new Map<string, string>()
  let records: BackendRecord[] = []
  let refreshedAt = Number.NEGATIVE_INFINITY
  /** Refreshes are numbered; an older one finishing after a newer one is discarded. */
  let started = 0
  let committed = 0
  let inflight: { done: Promise<void>; since: number } | null = null
  let backgroundSince: number | null = null
  let closed = false

  async function load(seq: number): Promise<void> {
    const list = await store.listBackends()
    // Build what changed first (opening credentials is async), then swap in one synchronous step.
    const fresh = new Map<string, Built>()
    const failures = new Map<string, string>()
    for (const record of list) {
      if (builtins.has(record.name)) continue
      const fingerprint = JSON.stringify([record.kind, record.config, record.credentials])
      if (built.get(record.name)?.fingerprint === fingerprint) continue
      try {
        fresh.set(record.name, { provider: await providerFor(record, context), fingerprint })
      } catch (error) {
        failures.set(record.name, error instanceof Error ? error.message : String(error))
      }
    }
    const retired: Provider[] = []
    if (seq < committed || closed) {
      retired.push(...[...fresh.values()].map((b) => b.provider))
    } else {
      committed = seq
      const next = new Map<string, Built>()
      for (const record of list) {
        if (builtins.has(record.name) || failures.has(record.name)) continue
        const current = built.get(record.name)
        const candidate = fresh.get(record.name)
        if (candidate && current?.fingerprint !== candidate.fingerprint) {
          next.set(record.name, candidate)
          if (current) retired.push(current.provider)
        } else if (current) {
          next.set(record.name, current)
          if (candidate) retired.push(candidate.provider)
        }
      }
      for (const [name, old] of built) {
        if (next.get(name) !== old && !retired.includes(old.provider)) retired.push(old.provider)
        if (!list.some((r) => r.name === name)) health.forget(name)
      }
      for (const [name, reason] of failures) {
        health.failure(name, `cannot reach backend "${name}": ${reason}`, new Date(now()))
      }
      built = next
      unbuildable = failures
      records = list
      refreshedAt = now()
    }
    for (const provider of retired) {
      await provider.close().catch((error: unknown) => logger.warn('closing a backend failed', { error }))
    }
  }

  /**
   * Reads the store after any refresh already running has finished (so one asked for after a write sees
   * that write), without waiting on one that seems lost.
   */
  function refresh(): Promise<void> {
    if (closed) return Promise.resolve()
    const seq = ++started
    const previous = inflight && now() - inflight.since < STUCK_MS ? inflight.done : null
    const done = (previous ? settledWithin(previous, STUCK_MS) : Promise.resolve()).then(() => load(seq))
    const entry = { done: done.catch(() => {}), since: now() }
    inflight = entry
    return done.finally(() => {
      if (inflight === entry) inflight = null
    })
  }

  function refreshIfStale(): void {
    if (closed || !Number.isFinite(ttlMs) || now() - refreshedAt < ttlMs) return
    if (backgroundSince !== null && now() - backgroundSince < STUCK_MS) return
    const since = now()
    backgroundSince = since
    refresh()
      .catch((error: unknown) => logger.warn('refreshing the backends failed', { error }))
      .finally(() => {
        if (backgroundSince === since) backgroundSince = null
      })
  }

  function known(): KnownBackend[] {
    const byName = new Map<string, KnownBackend>()
    const plain = (name: string, kind: string): KnownBackend => ({
      name,
      kind,
      labels: {},
      isDefault: false,
      builtin: true,
    })
    for (const [name, provider] of builtins) byName.set(name, plain(name, provider.kind))
    for (const name of unreachable) byName.set(name, plain(name, name))
    for (const r of records) {
      byName.set(r.name, {
        name: r.name,
        kind: r.kind,
        labels: r.labels,
        isDefault: r.isDefault,
        builtin: builtins.has(r.name) || unreachable.has(r.name),
      })
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  return {
    get(backend) {
      refreshIfStale()
      return builtins.get(backend) ?? built.get(backend)?.provider
    },
    has(backend) {
      refreshIfStale()
      return (
        builtins.has(backend) || unreachable.has(backend) || built.has(backend) || unbuildable.has(backend)
      )
    },
    entries: () => [
      ...builtins.entries(),
      ...[...built.entries()].map(([name, b]): [string, Provider] => [name, b.provider]),
    ],
    backends: known,
    refresh,
    health: (backend) => health.get(backend),
    async probe(only) {
      const targets = [
        ...builtins.entries(),
        ...[...built.entries()].map(([n, b]) => [n, b.provider] as const),
      ].filter(([name]) => only === undefined || name === only)
      await Promise.all(
        targets.map(async ([name, provider]) => {
          const error = await probe(provider)
          const at = new Date(now())
          if (error === null) health.success(name, at)
          else health.failure(name, error, at)
        }),
      )
      for (const [name, reason] of unbuildable) {
        if (only !== undefined && name !== only) continue
        health.failure(name, `cannot reach backend "${name}": ${reason}`, new Date(now()))
      }
    },
    async close() {
      closed = true
      if (inflight) await settledWithin(inflight.done, STUCK_MS)
      for (const b of built.values()) await b.provider.close().catch(() => {})
      built = new Map()
    },
  }
}

/** A registry over a fixed map, plus names that are known but unreachable here. For tests and tools. */
export function staticRegistry(
  providers: Record<string, Provider>,
  knownNames: string[] = [],
): ProviderRegistry {
  return createStoreRegistry({
    store: { listBackends: async () => [] },
    builtins: providers,
    unreachable: knownNames.filter((name) => !Object.hasOwn(providers, name)),
    context: { http: null, cipher: null, defaultNamespace: 'openfaas-fn' },
    // Nothing in its store to follow.
    ttlMs: Number.POSITIVE_INFINITY,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  })
}

/** Resolves once `promise` settles or `ms` pass, whichever is first. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([promise.then(noop, noop), deadline]).finally(() => clearTimeout(timer))
}

function noop(): void {}
