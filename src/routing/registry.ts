/**
 * @module
 * Backend name → Provider. The runtime fills it: the built-in `local` backend on Node, remote backends
 * from the store. A name without a provider is a backend this gateway cannot reach (for example `local`
 * inside workerd); deployments to it stay pending rather than failing the deploy.
 */
import type { Provider } from '../../providers/types.ts'

export interface ProviderRegistry {
  get(backend: string): Provider | undefined
  /** Backends known to this gateway, reachable or not. */
  has(backend: string): boolean
  entries(): Array<[string, Provider]>
}

/** A registry over a fixed map, plus names that are known but unreachable here. */
export function staticRegistry(
  providers: Record<string, Provider>,
  knownNames: string[] = [],
): ProviderRegistry {
  const map = new Map(Object.entries(providers))
  const known = new Set([...map.keys(), ...knownNames])
  return {
    get: (backend) => map.get(backend),
    has: (backend) => known.has(backend),
    entries: () => [...map.entries()],
  }
}
