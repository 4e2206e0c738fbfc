/**
 * @module
 * Placement: which backends run a function, from the `edgefaas.dev/backends` annotation
 * (`eu-k8s=80,us-lambda=20`, or just `eu-k8s,us-lambda`). Weights are used by routing; the reconciler
 * only needs the names.
 */
import { isDns1123Label } from '../contract/names.ts'

export const BACKENDS_ANNOTATION = 'edgefaas.dev/backends'

export interface PlacementEntry {
  backend: string
  weight: number
}

/** Parses the annotation; returns an error message naming what to fix instead of throwing. */
export function parsePlacement(value: string | undefined, defaultBackend: string): PlacementEntry[] | string {
  if (value === undefined || value.trim() === '') return [{ backend: defaultBackend, weight: 100 }]
  const entries: PlacementEntry[] = []
  for (const part of value.split(',')) {
    const [rawName, rawWeight, extra] = part.trim().split('=')
    const backend = rawName?.trim() ?? ''
    if (!isDns1123Label(backend) || extra !== undefined) {
      return `annotation ${BACKENDS_ANNOTATION} must look like "backend-a=80,backend-b=20" with DNS-1123 backend names`
    }
    const weight = rawWeight === undefined ? 100 : Number(rawWeight.trim())
    if (!Number.isInteger(weight) || weight < 0 || weight > 1000) {
      return `annotation ${BACKENDS_ANNOTATION}: the weight of backend "${backend}" must be a whole number from 0 to 1000`
    }
    if (entries.some((e) => e.backend === backend)) {
      return `annotation ${BACKENDS_ANNOTATION} names backend "${backend}" twice`
    }
    entries.push({ backend, weight })
  }
  return entries
}
