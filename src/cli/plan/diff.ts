/**
 * @module
 * The plan: what applying a stack file would do to a gateway, computed from what the stack would send
 * (FunctionDeployment) and what the gateway reports (FunctionStatus), with no I/O. A function missing on
 * the gateway is created; one that differs is changed, field by field (map fields per key:
 * `envVars.LOG_LEVEL`); with prune, a function the gateway has in a namespace the stack manages but the
 * stack does not name is removed. The `faas_function` label every status carries is the gateway's, not
 * a difference.
 */
import type { FunctionDeployment, FunctionResources, FunctionStatus } from '../../contract/types.ts'

export interface FieldChange {
  field: string
  /** JSON text of the value, absent when the field is not set. */
  before?: string
  after?: string
}

export type PlannedChange =
  | {
      action: 'create'
      name: string
      namespace: string
      deployment: FunctionDeployment
      fields: FieldChange[]
    }
  | {
      action: 'update'
      name: string
      namespace: string
      deployment: FunctionDeployment
      fields: FieldChange[]
    }
  | { action: 'remove'; name: string; namespace: string }

export interface Plan {
  changes: PlannedChange[]
  unchanged: Array<{ name: string; namespace: string }>
}

export interface PlanOptions {
  prune: boolean
  /** The gateway's namespace for deployments that name none (read from its answers). */
  defaultNamespace: string
  /** With prune: only functions this accepts may be removed (the --filter / --regex selection). */
  selects?: (fn: { name: string }) => boolean
}

/**
 * Keys gateways add to a function's status on their own: edgefaas and faas-netes the `faas_function`
 * label, faas-netes its pod-template labels and the `prometheus.io.scrape` annotation. Not a difference
 * unless the stack file sets them itself.
 */
const GATEWAY_LABELS = new Set(['faas_function', 'uid', 'pod-template-hash', 'controller-revision-hash'])
const GATEWAY_ANNOTATIONS = new Set(['prometheus.io.scrape'])

export function planChanges(
  desired: FunctionDeployment[],
  actual: FunctionStatus[],
  options: PlanOptions,
): Plan {
  const nsOf = (ns: string | undefined) => ns || options.defaultNamespace
  const key = (name: string, ns: string) => `${ns}\u0000${name}`
  const existing = new Map(actual.map((s) => [key(s.name, nsOf(s.namespace)), s]))
  const wanted = new Set<string>()
  const plan: Plan = { changes: [], unchanged: [] }
  for (const deployment of desired) {
    const namespace = nsOf(deployment.namespace)
    wanted.add(key(deployment.service, namespace))
    const current = existing.get(key(deployment.service, namespace))
    const fields = diffFunction(current ? fromStatus(current, deployment) : EMPTY, fromDeployment(deployment))
    if (!current)
      plan.changes.push({ action: 'create', name: deployment.service, namespace, deployment, fields })
    else if (fields.length > 0)
      plan.changes.push({ action: 'update', name: deployment.service, namespace, deployment, fields })
    else plan.unchanged.push({ name: deployment.service, namespace })
  }
  if (options.prune) {
    const removals = actual
      .filter((s) => !wanted.has(key(s.name, nsOf(s.namespace))))
      .filter((s) => options.selects?.(s) ?? true)
      .map((s) => ({ action: 'remove' as const, name: s.name, namespace: nsOf(s.namespace) }))
      .sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1))
    plan.changes.push(...removals)
  }
  return plan
}

/** The comparable settings of a function, whichever side they come from. */
interface Shape {
  image?: string
  envProcess?: string
  envVars: Record<string, string>
  secrets: string[]
  constraints: string[]
  labels: Record<string, string>
  annotations: Record<string, string>
  limits: FunctionResources
  requests: FunctionResources
  readOnlyRootFilesystem: boolean
}

const EMPTY: Shape = {
  envVars: {},
  secrets: [],
  constraints: [],
  labels: {},
  annotations: {},
  limits: {},
  requests: {},
  readOnlyRootFilesystem: false,
}

function fromDeployment(d: FunctionDeployment): Shape {
  return {
    image: d.image,
    ...(d.envProcess ? { envProcess: d.envProcess } : {}),
    envVars: d.envVars ?? {},
    secrets: d.secrets ?? [],
    constraints: d.constraints ?? [],
    labels: withoutKeys(d.labels ?? {}, new Set(['faas_function'])),
    annotations: d.annotations ?? {},
    limits: d.limits ?? {},
    requests: d.requests ?? {},
    readOnlyRootFilesystem: d.readOnlyRootFilesystem === true,
  }
}

/** The status side, without the keys its gateway added that the stack file does not set. */
function fromStatus(s: FunctionStatus, desired: FunctionDeployment | undefined): Shape {
  const added = (keys: Set<string>, wanted: Record<string, string> | null | undefined) =>
    new Set([...keys].filter((k) => k === 'faas_function' || !(wanted && k in wanted)))
  return {
    image: s.image,
    ...(s.envProcess ? { envProcess: s.envProcess } : {}),
    envVars: s.envVars ?? {},
    secrets: s.secrets ?? [],
    constraints: s.constraints ?? [],
    labels: withoutKeys(s.labels ?? {}, added(GATEWAY_LABELS, desired?.labels)),
    annotations: withoutKeys(s.annotations ?? {}, added(GATEWAY_ANNOTATIONS, desired?.annotations)),
    limits: s.limits ?? {},
    requests: s.requests ?? {},
    readOnlyRootFilesystem: s.readOnlyRootFilesystem === true,
  }
}

function withoutKeys(map: Record<string, string>, keys: Set<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k]) => !keys.has(k)))
}

export function diffFunction(before: Shape, after: Shape): FieldChange[] {
  const out: FieldChange[] = []
  scalar(out, 'image', before.image, after.image)
  scalar(out, 'envProcess', before.envProcess, after.envProcess)
  map(out, 'envVars', before.envVars, after.envVars)
  // Secrets are a set (the order mounts them in does not matter); constraints keep their order.
  list(out, 'secrets', [...before.secrets].sort(), [...after.secrets].sort())
  list(out, 'constraints', before.constraints, after.constraints)
  map(out, 'labels', before.labels, after.labels)
  map(out, 'annotations', before.annotations, after.annotations)
  map(out, 'limits', resources(before.limits), resources(after.limits))
  map(out, 'requests', resources(before.requests), resources(after.requests))
  if (before.readOnlyRootFilesystem !== after.readOnlyRootFilesystem) {
    out.push({
      field: 'readOnlyRootFilesystem',
      before: String(before.readOnlyRootFilesystem),
      after: String(after.readOnlyRootFilesystem),
    })
  }
  return out
}

function resources(r: FunctionResources): Record<string, string> {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'string' && v !== ''))
}

function scalar(out: FieldChange[], field: string, before: string | undefined, after: string | undefined) {
  if ((before ?? '') === (after ?? '')) return
  out.push({
    field,
    ...(before ? { before: JSON.stringify(before) } : {}),
    ...(after ? { after: JSON.stringify(after) } : {}),
  })
}

function map(
  out: FieldChange[],
  field: string,
  before: Record<string, string>,
  after: Record<string, string>,
) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  for (const k of keys) {
    const b = before[k]
    const a = after[k]
    if (b === a) continue
    out.push({
      field: `${field}.${k}`,
      ...(b !== undefined ? { before: JSON.stringify(b) } : {}),
      ...(a !== undefined ? { after: JSON.stringify(a) } : {}),
    })
  }
}

function list(out: FieldChange[], field: string, before: string[], after: string[]) {
  if (before.length === after.length && before.every((v, i) => v === after[i])) return
  out.push({
    field,
    ...(before.length > 0 ? { before: JSON.stringify(before) } : {}),
    ...(after.length > 0 ? { after: JSON.stringify(after) } : {}),
  })
}
