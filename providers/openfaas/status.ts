/**
 * @module
 * Reading a backend's FunctionStatus. Go drops zero values from it (`omitempty`): a function scaled to
 * zero has no `replicas` and no `availableReplicas` key at all, and a provider without namespaces sends
 * no `namespace` (contract §1.6.3, §10.15). Absent means 0; anything that is not a count is refused.
 */
import type { ObservedFunction } from '../types.ts'
import { ProviderError } from '../types.ts'

export function observedFrom(body: unknown, shown: string): ObservedFunction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProviderError('INTERNAL', `backend ${shown} sent a function status that is not a JSON object`)
  }
  const status = body as { replicas?: unknown; availableReplicas?: unknown }
  return {
    replicas: count(status.replicas, 'replicas', shown),
    availableReplicas: count(status.availableReplicas, 'availableReplicas', shown),
  }
}

function count(value: unknown, field: string, shown: string): number {
  if (value === undefined || value === null) return 0
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  throw new ProviderError('INTERNAL', `backend ${shown} sent a function status whose ${field} is not a count`)
}

/** Parses a JSON body, with a clear error when the backend sent something else. */
export async function readJson(response: Response, what: string, shown: string): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ProviderError('INTERNAL', `${what}: backend ${shown} sent a body that is not JSON`, {
      cause: error,
    })
  }
}
