/**
 * @module
 * Checks on what the reconciler asks for, before anything touches the disk or spawns a process. Names
 * become folder names and env entries reach execve, so both are checked here rather than failing later.
 */
import { isDns1123Label } from '../../src/contract/names.ts'
import { type DesiredFunction, ProviderError } from '../types.ts'
import { processOf } from './process-of.ts'

export function validateReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new ProviderError('INVALID', 'replicas must be a whole number, 0 or more')
  }
}

export function validateDesired(desired: DesiredFunction): void {
  if (!isDns1123Label(desired.name) || !isDns1123Label(desired.namespace)) {
    throw new ProviderError('INVALID', 'function name and namespace must be DNS-1123 labels')
  }
  if (!processOf(desired.spec)) {
    throw new ProviderError(
      'INVALID',
      'the local provider runs processes, not images: set envProcess (fprocess), or the fprocess environment variable',
    )
  }
  const env = Object.entries(desired.spec.envVars ?? {})
  if (env.some(([key, value]) => key === '' || key.includes('=') || `${key}${value}`.includes('\0'))) {
    throw new ProviderError(
      'INVALID',
      'envVars names must be non-empty without "=", and values without NUL bytes',
    )
  }
  validateReplicas(desired.replicas)
}
