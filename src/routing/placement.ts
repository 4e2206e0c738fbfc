/**
 * @module
 * Placement: which backends run a function, from the `edgefaas.dev/backends` annotation. Two forms, told
 * apart by a prefix so neither can be read as the other:
 *
 * - weights: `eu-k8s=80,us-lambda=20`, or bare names `eu-k8s,us-lambda` (each weighs 100);
 * - a label selector: `selector:region=eu` or `selector:region=eu,tier=gold` (every pair must match);
 *   each matching backend weighs 100.
 *
 * `region=80` would be ambiguous between a backend called `region` and a label; backend names are
 * DNS-1123 labels and cannot contain `:`, so `selector:` settles it. Without the annotation, a function
 * goes to the default backend. The resolved names are stored as `FunctionRecord.placement`; weights are
 * read back from the annotation by routing (`weightsFor`).
 */
import { isDns1123Label, isLabelKey, isLabelValue } from '../contract/names.ts'

export const BACKENDS_ANNOTATION = 'edgefaas.dev/backends'
export const SELECTOR_PREFIX = 'selector:'

export interface PlacementEntry {
  backend: string
  weight: number
}

/** What the annotation asks for, before it is resolved against the known backends. */
export type PlacementRule =
  | { kind: 'default' }
  | { kind: 'weights'; entries: PlacementEntry[] }
  | { kind: 'selector'; selector: Record<string, string> }

/** A backend as placement sees it. */
export interface PlacementCandidate {
  name: string
  labels: Record<string, string>
  isDefault: boolean
}

const WEIGHTS_SHAPE = `annotation ${BACKENDS_ANNOTATION} must look like "backend-a=80,backend-b=20" (DNS-1123 backend names) or "selector:region=eu"`

/** Parses the annotation; returns an error message naming what to fix instead of throwing. */
export function parsePlacementRule(value: string | undefined): PlacementRule | string {
  if (value === undefined || value.trim() === '') return { kind: 'default' }
  const trimmed = value.trim()
  if (trimmed.startsWith(SELECTOR_PREFIX)) return parseSelector(trimmed.slice(SELECTOR_PREFIX.length))
  const entries = parseWeights(trimmed)
  if (typeof entries === 'string') return entries
  return { kind: 'weights', entries }
}

/**
 * The weighted form alone (`a=80,b=20`, `a,b`), or the default backend when the annotation is absent; a
 * selector is an error here. Kept for callers that only deal in weights.
 */
export function parsePlacement(value: string | undefined, defaultBackend: string): PlacementEntry[] | string {
  if (value === undefined || value.trim() === '') return [{ backend: defaultBackend, weight: 100 }]
  return parseWeights(value.trim())
}

function parseWeights(value: string): PlacementEntry[] | string {
  const entries: PlacementEntry[] = []
  for (const part of value.split(',')) {
    const [rawName, rawWeight, extra] = part.trim().split('=')
    const backend = rawName?.trim() ?? ''
    if (!isDns1123Label(backend) || extra !== undefined) return WEIGHTS_SHAPE
    const weight = rawWeight === undefined ? 100 : Number(rawWeight.trim())
    if (!/^\s*\d+\s*$/.test(rawWeight ?? '100') || !Number.isInteger(weight) || weight > 1000) {
      return `annotation ${BACKENDS_ANNOTATION}: the weight of backend "${backend}" must be a whole number from 0 to 1000 (for a label selector write "selector:${backend}=…")`
    }
    if (entries.some((e) => e.backend === backend)) {
      return `annotation ${BACKENDS_ANNOTATION} names backend "${backend}" twice`
    }
    entries.push({ backend, weight })
  }
  if (entries.every((e) => e.weight === 0)) {
    return `annotation ${BACKENDS_ANNOTATION}: at least one backend needs a weight above 0`
  }
  return entries
}

function parseSelector(value: string): PlacementRule | string {
  const shape = `annotation ${BACKENDS_ANNOTATION}: a selector must look like "selector:region=eu" or "selector:region=eu,tier=gold" (label keys and values as in Kubernetes)`
  const selector: Record<string, string> = {}
  for (const part of value.split(',')) {
    const [rawKey, rawValue, extra] = part.split('=')
    const key = rawKey?.trim() ?? ''
    const label = rawValue?.trim()
    if (label === undefined || extra !== undefined || !isLabelKey(key) || !isLabelValue(label)) return shape
    if (Object.hasOwn(selector, key)) {
      return `annotation ${BACKENDS_ANNOTATION}: the selector names label "${key}" twice`
    }
    selector[key] = label
  }
  return { kind: 'selector', selector }
}

/** True when the backend carries every label of the selector. */
export function matchesSelector(labels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value)
}

/**
 * The backends a rule places a function on, in order: the named ones as written; a selector's matches in
 * name order; for no annotation the backend marked default, else `fallbackDefault`
 * (EDGEFAAS_DEFAULT_BACKEND). `known` is every backend this gateway knows of. Returns an error message
 * that names what is wrong and lists what there is.
 */
export function resolvePlacement(
  rule: PlacementRule,
  known: PlacementCandidate[],
  fallbackDefault: string,
): string[] | { error: string } {
  const names = new Set(known.map((b) => b.name))
  if (rule.kind === 'default') {
    const chosen = known.find((b) => b.isDefault)?.name ?? fallbackDefault
    if (!names.has(chosen)) {
      return {
        error: `the default backend "${chosen}" (EDGEFAAS_DEFAULT_BACKEND) does not exist; known backends: ${listNames(known)} (mark one "default": true, or name backends in ${BACKENDS_ANNOTATION})`,
      }
    }
    return [chosen]
  }
  if (rule.kind === 'weights') {
    const unknown = rule.entries.map((e) => e.backend).filter((name) => !names.has(name))
    if (unknown.length > 0) {
      const which = unknown.map((n) => `"${n}"`).join(', ')
      return {
        error: `unknown backend${unknown.length > 1 ? 's' : ''} ${which} in ${BACKENDS_ANNOTATION}; known backends: ${listNames(known)} (add one with POST /system/backends)`,
      }
    }
    return rule.entries.map((e) => e.backend)
  }
  const matches = known.filter((b) => matchesSelector(b.labels, rule.selector)).map((b) => b.name)
  if (matches.length === 0) {
    return {
      error: `no backend matches ${SELECTOR_PREFIX}${selectorText(rule.selector)} in ${BACKENDS_ANNOTATION}; backends and their labels: ${listLabels(known)}`,
    }
  }
  return matches.sort()
}

/**
 * The routing weight of each placed backend: as written in the weighted form, 100 for a selector's
 * matches, for bare names and for the default backend.
 */
export function weightsFor(value: string | undefined, placement: string[]): Map<string, number> {
  const rule = parsePlacementRule(value)
  const written =
    typeof rule !== 'string' && rule.kind === 'weights'
      ? new Map(rule.entries.map((e) => [e.backend, e.weight]))
      : new Map<string, number>()
  return new Map(placement.map((name) => [name, written.get(name) ?? 100]))
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}

const MAX_LISTED = 20

function listNames(known: PlacementCandidate[]): string {
  if (known.length === 0) return '(none)'
  const shown = known.slice(0, MAX_LISTED).map((b) => b.name)
  return known.length > MAX_LISTED ? `${shown.join(', ')}, …` : shown.join(', ')
}

function listLabels(known: PlacementCandidate[]): string {
  if (known.length === 0) return '(none)'
  const shown = known.slice(0, MAX_LISTED).map((b) => {
    const labels = selectorText(b.labels)
    return `${b.name} (${labels || 'no labels'})`
  })
  return known.length > MAX_LISTED ? `${shown.join(', ')}, …` : shown.join(', ')
}
