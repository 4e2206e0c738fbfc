/**
 * @module
 * What every write of desired state does next: drop the function from this gateway's route cache (other
 * gateways see the change within the cache TTL) and reconcile it inline, within the configured deadline.
 */
import type { GatewayDeps } from '../deps.ts'

export async function applyChange(deps: GatewayDeps, namespace: string, name: string): Promise<void> {
  deps.routes.invalidate(namespace, name)
  await deps.reconciler.reconcileWithin(namespace, name, deps.config.reconcileInlineTimeoutMs)
}
