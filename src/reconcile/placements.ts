/**
 * @module
 * Functions placed by a label selector (`edgefaas.dev/backends: "selector:region=eu"`) follow the
 * backends' labels: on each tick their selector is resolved again against the backends known now, and a
 * function whose matches changed (a backend added or relabelled) is moved; the reconciler then applies it
 * on the new backends and removes it from those it left. A selector that matches nothing any more leaves
 * the function where it is: a relabelling mistake should not remove a function from everywhere.
 */
import type { Logger } from '../logger.ts'
import { BACKENDS_ANNOTATION, parsePlacementRule, resolvePlacement } from '../routing/placement.ts'
import type { ProviderRegistry } from '../routing/registry.ts'
import type { FunctionRecord, Store } from '../store/types.ts'

/** Moves selector-placed functions whose matches changed; returns the functions moved. */
export async function reresolvePlacements(
  functions: FunctionRecord[],
  store: Pick<Store, 'setPlacement'>,
  providers: Pick<ProviderRegistry, 'backends'>,
  logger: Logger,
): Promise<FunctionRecord[]> {
  const moved: FunctionRecord[] = []
  const known = providers.backends()
  for (const fn of functions) {
    const rule = parsePlacementRule(fn.spec.annotations?.[BACKENDS_ANNOTATION])
    if (typeof rule === 'string' || rule.kind !== 'selector') continue
    const placement = resolvePlacement(rule, known, '')
    if (!Array.isArray(placement)) {
      logger.warn('a placement selector matches no backend; the function stays where it is', {
        function: `${fn.name}.${fn.namespace}`,
        reason: placement.error,
      })
      continue
    }
    if (placement.join(',') === fn.placement.join(',')) continue
    // Conditional on the generation: a deploy that raced this one decided the placement itself.
    if (await store.setPlacement(fn.namespace, fn.name, placement, fn.generation)) {
      logger.info('placement changed with the backends matching its selector', {
        function: `${fn.name}.${fn.namespace}`,
        from: fn.placement,
        to: placement,
      })
      moved.push({ ...fn, placement })
    }
  }
  return moved
}
