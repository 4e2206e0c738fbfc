/**
 * @module
 * FunctionRecord → FunctionStatus with the omission rules clients depend on (contract 1.6.3, 10.6):
 * `labels`/`annotations` always present and `labels` carrying `faas_function`; `envVars`, `limits`,
 * `requests`, `constraints`, `secrets` absent when not deployed (never `{}`); zero replicas absent;
 * `createdAt` always present. Keys in the Go struct's order. A function placed on several backends is
 * one function here, its replicas summed over them.
 */
import type { FunctionResources, FunctionStatus } from '../contract/types.ts'
import type { FunctionRecord } from '../store/types.ts'

export function toFunctionStatus(fn: FunctionRecord, available: number, invocations = 0): FunctionStatus {
  const { spec } = fn
  const status: FunctionStatus = { name: fn.name, image: spec.image, namespace: fn.namespace, createdAt: '' }
  if (spec.envProcess) status.envProcess = spec.envProcess
  if (spec.envVars && Object.keys(spec.envVars).length > 0) status.envVars = spec.envVars
  if (spec.constraints && spec.constraints.length > 0) status.constraints = spec.constraints
  if (spec.secrets && spec.secrets.length > 0) status.secrets = spec.secrets
  status.labels = { ...(spec.labels ?? {}), faas_function: fn.name }
  status.annotations = { ...(spec.annotations ?? {}) }
  const limits = nonEmpty(spec.limits)
  if (limits) status.limits = limits
  const requests = nonEmpty(spec.requests)
  if (requests) status.requests = requests
  if (spec.readOnlyRootFilesystem) status.readOnlyRootFilesystem = true
  if (invocations > 0) status.invocationCount = invocations
  // One function to OpenFaaS clients wherever it runs: each placed backend runs `fn.replicas`, and the
  // status reports the sum, as `availableReplicas` sums what the backends report.
  const replicas = fn.replicas * Math.max(1, fn.placement.length)
  if (replicas > 0) status.replicas = replicas
  if (available > 0) status.availableReplicas = available
  // Re-inserting createdAt places it after the replica fields, where Go writes it.
  delete (status as { createdAt?: string }).createdAt
  status.createdAt = rfc3339(fn.createdAt)
  return status
}

function nonEmpty(resources: FunctionResources | null | undefined): FunctionResources | undefined {
  if (!resources) return undefined
  const entries = Object.entries(resources).filter(([, v]) => typeof v === 'string' && v !== '')
  return entries.length > 0 ? (Object.fromEntries(entries) as FunctionResources) : undefined
}

/** Second precision, as Kubernetes timestamps are. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
