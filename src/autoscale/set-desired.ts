/**
 * @module
 * Writes a new desired replica count the way `POST /system/scale-function` does (src/api/scale.ts): the
 * function row's replicas in the store, the route cache dropped, the reconciler applying it on every
 * placed backend. Manual scaling, scale from zero, `/system/alert` and the autoscaler all end in that
 * one row, so they never disagree about what is desired: the last write wins and every later decision
 * starts from it.
 */
import type { GatewayDeps } from '../deps.ts'
import type { FunctionRecord } from '../store/types.ts'

/** null when written; otherwise why not (the function changed meanwhile, or a backend cannot scale so). */
export async function setDesiredReplicas(
  deps: GatewayDeps,
  fn: FunctionRecord,
  replicas: number,
  inlineMs: number,
): Promise<string | null> {
  for (const backend of fn.placement) {
    const capabilities = deps.providers.get(backend)?.capabilities
    if (capabilities && !capabilities.scale) return `backend "${backend}" cannot scale functions`
    if (capabilities && replicas === 0 && !capabilities.scaleToZero) {
      return `backend "${backend}" cannot scale functions to zero`
    }
  }
  // Decided on `fn` as read at the start of the tick: a write since (a deploy, a manual scale, scale
  // from zero) wins, and the next tick decides again from it.
  const current = await deps.store.getFunction(fn.namespace, fn.name)
  if (!current || current.generation !== fn.generation) return 'the function changed meanwhile'
  if (!(await deps.store.setReplicas(fn.namespace, fn.name, replicas))) return 'the function is gone'
  deps.routes.invalidate(fn.namespace, fn.name)
  await deps.reconciler.reconcileWithin(fn.namespace, fn.name, inlineMs)
  return null
}
