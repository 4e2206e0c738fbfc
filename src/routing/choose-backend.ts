/**
 * @module
 * The routing decision of one invocation: which of a function's placed backends serves it. Today the
 * first placed backend this gateway can reach; the front-door work makes it weighted, load-aware and
 * health-aware, behind the same signature, so the proxy and the async worker need not change.
 */
import type { Provider } from '../../providers/types.ts'
import type { FunctionRecord } from '../store/types.ts'
import type { ProviderRegistry } from './registry.ts'

export interface BackendChoice {
  backend: string
  provider: Provider
}

/** The backend for one call to `fn`, or null when none of its placements is reachable from here. */
export function chooseBackend(fn: FunctionRecord, providers: ProviderRegistry): BackendChoice | null {
  for (const backend of fn.placement) {
    const provider = providers.get(backend)
    if (provider) return { backend, provider }
  }
  return null
}
