/**
 * @module
 * Scale from zero: a call to a function without a ready replica is held while the function is scaled to
 * max(`com.openfaas.scale.min`, 1) and its backend reports a ready replica, then it goes on. Concurrent
 * held calls share one wait, so a burst at zero causes one scale-up, not one per call. A function whose
 * last apply on the backend failed (a bad spec, a backend refusing it) will not become ready by waiting:
 * the call is answered at once with that error instead of being held until the timeout.
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
  /** How often the backend is asked whether a replica is ready (OpenFaaS: 100 ms). */
  pollMs?: number
}

/** `failed`: the backend refused the function's last apply, with the error it gave. */
export type WaitOutcome = 'ready' | 'timeout' | 'gone' | { failed: string }

/** Enough of a provider's error to act on; the rest stays in the log and /system/deployments. */
const MAX_ERROR_LENGTH = 300

export interface ScaleFromZero {
  /** Resolves once `backend` has a ready replica of `fn`, or with why it will not. */
  waitUntilReady(fn: FunctionRecord, backend: string, signal: AbortSignal): Promise<WaitOutcome>
}

export function createScaleFromZero(deps: ScaleFromZeroDeps): ScaleFromZero {
  const waits = new Map<string, Promise<WaitOutcome>>()
  const pollMs = deps.pollMs ?? 50

  async function scaleUpAndWait(fn: FunctionRecord, backend: string): Promise<WaitOutcome> {
    const deadline = Date.now() + deps.timeoutMs
    const current = await deps.store.getFunction(fn.namespace, fn.name)
    if (!current) return 'gone'
    if (current.replicas === 0) {
      const min = Number(current.spec.labels?.[SCALE_MIN_LABEL] ?? 0)
      await deps.store.setReplicas(fn.namespace, fn.name, Math.max(Number.isInteger(min) ? min : 0, 1))
      deps.routes.invalidate(fn.namespace, fn.name)
    }
    await deps.reconciler.reconcileFunction(fn.namespace, fn.name)
    const failed = await lastApplyError(fn, backend)
    if (failed !== null) return { failed }
    const provider = deps.providers.get(backend)
    if (!provider) return 'timeout'
    while (Date.now() < deadline) {
      const status = await provider.status(fn.namespace, fn.name).catch(() => null)
      if (status && status.availableReplicas > 0) return 'ready'
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
    return 'timeout'
  }

  /** The error of the deployment's last apply when it failed (the reconcile just above retried it). */
  async function lastApplyError(fn: FunctionRecord, backend: string): Promise<string | null> {
    const rows = await deps.store.listDeployments({ namespace: fn.namespace, functionName: fn.name })
    const row = rows.find((r) => r.backend === backend)
    if (row?.status !== 'error') return null
    const error = row.lastError ?? 'the backend refused the function'
    return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH)}…` : error
  }

  return {
    waitUntilReady(fn, backend, signal) {
      const key = `${fn.namespace}\u0000${fn.name}\u0000${backend}`
      let wait = waits.get(key)
      if (!wait) {
        wait = scaleUpAndWait(fn, backend).finally(() => waits.delete(key))
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
