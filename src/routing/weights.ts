/**
 * @module
 * The routing weight of each of a function's placements, from its `edgefaas.dev/backends` annotation
 * (`a=80,b=20`). `FunctionRecord.placement` is the resolved list of backends; a backend the annotation
 * gives no weight (a bare name, or one a label selector chose) weighs 100, as a bare name does.
 *
 * Parsed once per record object: the route cache hands out the same record until it reloads it, so the
 * hot path reads an array instead of parsing the annotation on every call.
 */
import type { FunctionRecord } from '../store/types.ts'
import { BACKENDS_ANNOTATION, weightsFor } from './placement.ts'

export const DEFAULT_WEIGHT = 100

const cache = new WeakMap<FunctionRecord, readonly number[]>()

/** Weights aligned with `fn.placement` (same order, same length). */
export function placementWeights(fn: FunctionRecord): readonly number[] {
  let weights = cache.get(fn)
  if (!weights) {
    weights = weightsOf(fn.placement, fn.spec.annotations?.[BACKENDS_ANNOTATION])
    cache.set(fn, weights)
  }
  return weights
}

/** The weights of `placement` given the annotation's text; anything it does not weigh is 100. */
export function weightsOf(placement: readonly string[], annotation: string | undefined): number[] {
  // A selector, a bare list or no annotation at all leaves every placement at the default.
  const weights = weightsFor(annotation, [...placement])
  return placement.map((backend) => weights.get(backend) ?? DEFAULT_WEIGHT)
}
