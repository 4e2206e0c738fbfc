/**
 * @module
 * What this gateway last saw of each backend's control plane: reachable or not, the last error, when it
 * last answered. Kept in memory per gateway, not in the store: each gateway reaches the backends over its
 * own network path, so one gateway's view is no truth for another, and a probe per backend per tick is
 * no write traffic on a shared store. A restarted gateway knows nothing until its first tick (`null`).
 *
 * The reconciler reads `reachableSince`: a backend that came back after a failed apply is retried at
 * once instead of after the rest of its backoff, so a backend that was down catches up within a tick.
 */
import type { Provider } from '../../providers/types.ts'

export interface BackendHealth {
  /** null until checked. */
  reachable: boolean | null
  lastError: string | null
  /** When the backend last answered. */
  lastSeen: Date | null
  checkedAt: Date | null
  /** When it last turned reachable (after being unreachable, or on its first check). */
  reachableSince: Date | null
}

export interface HealthBook {
  get(backend: string): BackendHealth
  success(backend: string, at: Date): void
  failure(backend: string, error: string, at: Date): void
  forget(backend: string): void
}

const UNKNOWN: BackendHealth = {
  reachable: null,
  lastError: null,
  lastSeen: null,
  checkedAt: null,
  reachableSince: null,
}

export function createHealthBook(): HealthBook {
  const book = new Map<string, BackendHealth>()
  return {
    get: (backend) => book.get(backend) ?? UNKNOWN,
    success(backend, at) {
      const before = book.get(backend) ?? UNKNOWN
      book.set(backend, {
        reachable: true,
        lastError: before.lastError,
        lastSeen: at,
        checkedAt: at,
        reachableSince: before.reachable === true ? before.reachableSince : at,
      })
    },
    failure(backend, error, at) {
      const before = book.get(backend) ?? UNKNOWN
      book.set(backend, {
        ...before,
        reachable: false,
        lastError: error,
        checkedAt: at,
        reachableSince: null,
      })
    },
    forget: (backend) => void book.delete(backend),
  }
}

/** How long a probe may take before the backend counts as unreachable. */
export const PROBE_TIMEOUT_MS = 3000

/** Asks one backend for its `/system/info` (or the local equivalent) within the probe deadline. */
export async function probe(provider: Provider, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)
  })
  try {
    return await Promise.race([provider.info().then(() => null), deadline])
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    clearTimeout(timer)
  }
}
