/** Placement weights from the annotation, aligned with the resolved placement, parsed once per record. */
import { describe, expect, it } from 'vitest'
import { placementWeights, weightsOf } from '../../src/routing/weights.ts'
import type { FunctionRecord } from '../../src/store/types.ts'

describe('weightsOf', () => {
  it.each([
    { annotation: 'a=80,b=20', placement: ['a', 'b'], weights: [80, 20] },
    { annotation: 'b=20, a=80', placement: ['a', 'b'], weights: [80, 20] },
    { annotation: 'a,b=0', placement: ['a', 'b'], weights: [100, 0] },
    { annotation: undefined, placement: ['local'], weights: [100] },
    { annotation: 'region=eu', placement: ['eu-1', 'eu-2'], weights: [100, 100] },
    { annotation: 'a=80', placement: ['a', 'c'], weights: [80, 100] },
  ])('$annotation over $placement → $weights', ({ annotation, placement, weights }) => {
    expect(weightsOf(placement, annotation)).toEqual(weights)
  })
})

describe('placementWeights', () => {
  it('parses a record once and reuses the result while the route cache hands out the same record', () => {
    const record = {
      namespace: 'n',
      name: 'f',
      spec: { image: 'x', annotations: { 'edgefaas.dev/backends': 'a=80,b=20' } },
      placement: ['a', 'b'],
    } as unknown as FunctionRecord
    const first = placementWeights(record)
    expect(first).toEqual([80, 20])
    expect(placementWeights(record)).toBe(first)
    expect(placementWeights({ ...record })).not.toBe(first)
  })
})
