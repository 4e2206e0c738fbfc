/**
 * @module
 * Resolving the namespace of a request: from the body or the query (clients use either, contract 10.2),
 * defaulting to the gateway's default namespace, validated and required to exist.
 */
import { isDns1123Label } from '../contract/names.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'

/** Picks the first non-empty candidate, else the default; 400 if it is invalid or does not exist. */
export async function resolveNamespace(
  deps: GatewayDeps,
  ...candidates: Array<string | undefined>
): Promise<string> {
  const namespace = candidates.find((c) => c !== undefined && c !== '') ?? deps.config.defaultNamespace
  if (!isDns1123Label(namespace)) {
    throw new ApiError(
      'BAD_REQUEST',
      'namespace is invalid: it must be a DNS-1123 label (a-z, 0-9, -; at most 63)',
    )
  }
  if (!(await deps.store.getNamespace(namespace))) {
    throw new ApiError(
      'BAD_REQUEST',
      `namespace "${namespace}" does not exist; create it first (faas-cli namespace create ${namespace})`,
    )
  }
  return namespace
}
