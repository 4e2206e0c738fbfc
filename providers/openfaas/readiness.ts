/**
 * @module
 * Whether a function can be invoked on the backend, known before the request body is touched: invoke
 * must throw NOT_FOUND or NOT_READY while the gateway can still hold the call and send it again, and
 * once the body is streamed to the backend that is too late. A function seen ready is trusted for
 * `ttlMs`; after that calls go on at once while one status request per function refreshes it in the
 * background (as the OpenFaaS gateway caches readiness for its scale-from-zero check). A function not
 * seen ready is asked about on every call, one request shared by concurrent calls; so is one whose
 * background refresh failed, which lets a backend whose API is down fail calls rather than be trusted.
 */
import type { ObservedFunction } from '../types.ts'

export type Readiness = 'ready' | 'not-ready' | 'absent'

export type StatusSource = (namespace: string, name: string) => Promise<ObservedFunction | null>

export class ReadinessCache {
  readonly #source: StatusSource
  readonly #ttlMs: number
  readonly #now: () => number
  /** When each function was last seen ready. */
  readonly #readyAt = new Map<string, number>()
  readonly #inflight = new Map<string, Promise<Readiness>>()

  constructor(source: StatusSource, ttlMs: number, now: () => number = Date.now) {
    this.#source = source
    this.#ttlMs = ttlMs
    this.#now = now
  }

  async check(namespace: string, name: string): Promise<Readiness> {
    const key = keyOf(namespace, name)
    const at = this.#readyAt.get(key)
    if (at === undefined) return this.#refresh(namespace, name, key)
    if (this.#now() - at >= this.#ttlMs) {
      this.#refresh(namespace, name, key).catch(() => this.#readyAt.delete(key))
    }
    return 'ready'
  }

  /** Records what a status request said (the provider's status() reports every answer here). */
  record(namespace: string, name: string, observed: ObservedFunction | null): Readiness {
    const key = keyOf(namespace, name)
    const state = readinessOf(observed)
    if (state === 'ready') this.#readyAt.set(key, this.#now())
    else this.#readyAt.delete(key)
    return state
  }

  forget(namespace: string, name: string): void {
    this.#readyAt.delete(keyOf(namespace, name))
  }

  #refresh(namespace: string, name: string, key: string): Promise<Readiness> {
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#source(namespace, name)
        .then((observed) => this.record(namespace, name, observed))
        .finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return pending
  }
}

function readinessOf(observed: ObservedFunction | null): Readiness {
  if (!observed) return 'absent'
  return observed.availableReplicas > 0 ? 'ready' : 'not-ready'
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`
}
