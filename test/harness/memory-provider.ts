/**
 * An in-memory Provider for reconciler tests: records what it was asked, can be made to fail, and can
 * "lose" functions to simulate a backend restart.
 */
import type { DesiredFunction, ObservedFunction, Provider } from '../../providers/types.ts'
import { ProviderError } from '../../providers/types.ts'

export interface MemoryProvider extends Provider {
  functions: Map<string, DesiredFunction>
  applied: DesiredFunction[]
  removed: string[]
  /** While set, info, status, apply and remove throw UNAVAILABLE with this message (a backend that is down). */
  failing: string | null
}

export function createMemoryProvider(scope: 'instance' | 'shared' = 'instance'): MemoryProvider {
  const functions = new Map<string, DesiredFunction>()
  const key = (ns: string, name: string) => `${ns}/${name}`
  const observed = (d: DesiredFunction): ObservedFunction => ({
    replicas: d.replicas,
    availableReplicas: d.replicas,
  })
  const provider: MemoryProvider = {
    kind: 'memory',
    scope,
    capabilities: { scale: true, scaleToZero: true, logs: false, secrets: true, namespaces: true },
    functions,
    applied: [],
    removed: [],
    failing: null,
    async info() {
      if (provider.failing) throw new ProviderError('UNAVAILABLE', provider.failing)
      return { provider: 'memory', orchestration: 'memory', version: { sha: 'test', release: 'test' } }
    },
    async apply(desired) {
      if (provider.failing) throw new ProviderError('UNAVAILABLE', provider.failing)
      functions.set(key(desired.namespace, desired.name), desired)
      provider.applied.push(desired)
      return observed(desired)
    },
    async remove(ns, name) {
      if (provider.failing) throw new ProviderError('UNAVAILABLE', provider.failing)
      functions.delete(key(ns, name))
      provider.removed.push(key(ns, name))
    },
    async scale(ns, name, replicas) {
      const d = functions.get(key(ns, name))
      if (!d) throw new ProviderError('NOT_FOUND', 'not found')
      functions.set(key(ns, name), { ...d, replicas })
    },
    async status(ns, name) {
      if (provider.failing) throw new ProviderError('UNAVAILABLE', provider.failing)
      const d = functions.get(key(ns, name))
      return d ? observed(d) : null
    },
    async instances() {
      return []
    },
    async invoke() {
      throw new ProviderError('UNSUPPORTED', 'memory provider does not invoke')
    },
    logs() {
      throw new ProviderError('UNSUPPORTED', 'memory provider has no logs')
    },
    async close() {},
  }
  return provider
}
