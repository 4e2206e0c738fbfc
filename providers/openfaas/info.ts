/**
 * @module
 * `GET /system/info` comes in two shapes (contract §1.5.6, §7): a gateway (OpenFaaS, edgefaas) wraps its
 * provider's `{provider, orchestration, version}` in `{provider: {...}, version, arch}`, and may have a
 * null provider when its own provider did not answer; faas-provider (faas-netes, faasd) answers the
 * inner object itself. Either way the backend's provider is reported, never a null or empty field.
 */
import type { ProviderInfo } from '../../src/contract/types.ts'
import { ProviderError } from '../types.ts'

const UNKNOWN = 'unknown'

export function providerInfoFrom(body: unknown, shown: string): ProviderInfo {
  if (typeof body !== 'object' || body === null) {
    throw new ProviderError(
      'INTERNAL',
      `backend ${shown} answered /system/info with something other than an object`,
    )
  }
  const outer = body as Record<string, unknown>
  if (typeof outer.provider === 'string') return normalise(outer)
  if (typeof outer.provider === 'object' && outer.provider !== null)
    return normalise(outer.provider as Record<string, unknown>)
  // A gateway whose provider did not answer: describe the gateway itself.
  return normalise({ provider: 'openfaas-gateway', orchestration: UNKNOWN, version: outer.version })
}

function normalise(info: Record<string, unknown>): ProviderInfo {
  const version = (typeof info.version === 'object' && info.version !== null ? info.version : {}) as Record<
    string,
    unknown
  >
  return {
    provider: nonEmpty(info.provider),
    orchestration: nonEmpty(info.orchestration),
    version: { sha: nonEmpty(version.sha), release: nonEmpty(version.release) },
  }
}

function nonEmpty(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : UNKNOWN
}
