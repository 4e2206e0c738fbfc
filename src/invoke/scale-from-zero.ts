/**
 * @module
 * Scale from zero: a call to a function without a ready replica on any placement it could go to is
 * held while the function is scaled to max(`com.openfaas.scale.min`, 1) and reconciled onto its
 * backends, until one of them reports a ready replica; the call then goes there. Concurrent held calls
 * share one wait, so a burst at zero causes one scale-up, not one per call. A function whose last
 * apply failed on every backend will not become ready by waiting: the call is answered at once with
 * that error instead of being held until the timeout.
 */
import { SCALE_MIN_LABEL } from '../contract/labels.ts'
import type { Reconciler } from '../reconcile/reconciler.ts'
import type { ProviderRegistry } from '../routing/registry.ts'
import type { RouteCache } from '../routing/route-cache.ts'
import type { FunctionRecord, Store } from '../store/types.ts'

export interface ScaleFromZeroDeps {
  store: Store
  providers: ProviderRegistry
  reconciler: Reconciler
  routes: RouteCache
  timeoutMs: number
  /** How often the backend is asked whether a replica is ready; default 20 ms (OpenFaaS: 100 ms). One status call per function at a time, whoever waits. */
  pollMs?: number
}

/** `ready`: the placements now ready. `failed`: every backend refused the last apply (the first error). */
export type WaitOutcome = { ready: string[] } | 'timeout' | 'gone' | { failed: string }

/** Enough of a provider's error to act on; the rest stays in the log and /system/deployments. */
const MAX_ERROR_LENGTH = 300

export interface ScaleFromZero {
  /** Resolves once a placement of `fn` reachable from here has a ready replica, or with why none will. */
  waitUntilReady(fn: FunctionRecord, signal: AbortSignal): Promise<WaitOutcome>
}

export function createScaleFromZero(deps: ScaleFromZeroDeps): ScaleFromZero {
  const waits = new Map<string, Promise<WaitOutcome>>()
  const pollMs = deps.pollMs ?? 20

  async function scaleUpAndWait(fn: FunctionRecord): Promise<WaitOutcome> {
    const deadline = Date.now() + deps.timeoutMs
    const current = await deps.store.getFunction(fn.namespace, fn.name)
    if (!current) return 'gone'
    if (current.replicas === 0) {
      const min = Number(current.spec.labels?.[SCALE_MIN_LABEL] ?? 0)
      await deps.store.setReplicas(fn.namespace, fn.name, Math.max(Number.isInteger(min) ? min : 0, 1))
      deps.routes.invalidate(fn.namespace, fn.name)
    }
    await deps.reconciler.reconcileFunction(fn.namespace, fn.name)
    const placed = current.placement.flatMap((backend) => {
      const provider = deps.providers.get(backend)
      return provider ? [{ backend, provider }] : []
    })
    const failed = await lastApplyError(current, placed.length)
    if (failed !== null) return { failed }
    if (placed.length === 0) return 'timeout'
    // A provider that says when a replica turns ready wakes the wait at once; the poll covers the rest.
    const wake = new Wake()
    const unsubscribes = placed.flatMap(({ provider }) =>
      provider.onReady ? [provider.onReady(fn.namespace, fn.name, () => wake.wake())] : [],
    )
    try {
      while (Date.now() < deadline) {
        wake.reset()
        const ready = await Promise.all(
          placed.map(async ({ backend, provider }) => {
            const status = await provider.status(fn.namespace, fn.name).catch(() => null)
            return status && status.availableReplicas > 0 ? backend : null
          }),
        )
        const backends = ready.filter((b): b is string => b !== null)
        if (backends.length > 0) return { ready: backends }
        await wake.sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())))
      }
      return 'timeout'
    } finally {
      for (const unsubscribe of unsubscribes) unsubscribe()
    }
  }

  /**
   * The error of the last apply when it failed on every reachable placement (the reconcile just above
   * retried them); null while one of them may still come up.
   */
  async function lastApplyError(fn: FunctionRecord, reachable: number): Promise<string | null> {
    const rows = await deps.store.listDeployments({ namespace: fn.namespace, functionName: fn.name })
    const failed = rows.filter(
      (r) => r.status === 'error' && fn.placement.includes(r.backend) && deps.providers.get(r.backend),
    )
    if (reachable === 0 || failed.length < reachable) return null
    const error = failed[0]?.lastError ?? 'the backend refused the function'
    return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH)}…` : error
  }

  return {
    waitUntilReady(fn, signal) {
      const key = `${fn.namespace}\u0000${fn.name}`
      let wait = waits.get(key)
      if (!wait) {
        wait = scaleUpAndWait(fn).finally(() => waits.delete(key))
        waits.set(key, wait)
      }
      // A caller that gives up stops waiting; the shared scale-up goes on for the others.
      return new Promise<WaitOutcome>((resolve, reject) => {
        const onAbort = () => reject(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        wait.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
      })
    },
  }
}

/** A sleep that a `wake()` ends early, including one that came since the last `reset()`. */
class Wake {
  #woken = false
  #end: (() => void) | null = null

  reset(): void {
    this.#woken = false
  }

  wake(): void {
    this.#woken = true
    this.#end?.()
  }

  sleep(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve()
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer)
        this.#end = null
        resolve()
      }
      const timer = setTimeout(end, ms)
      this.#end = end
    })
  }
}
