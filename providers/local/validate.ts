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

/**
 * What in a spec the local backend can never run, as the user's fix; null when it can run it. The
 * gateway asks it at deploy and update (`Provider.checkSpec`), and `apply` checks again for specs stored
 * before this check existed.
 */
export function specProblem(spec: DesiredFunction['spec']): string | null {
  if (!processOf(spec)) {
    return (
      'the local backend runs a process, not an image: set envProcess (fprocess), or the fprocess ' +
      'environment variable, to the command to run (faas-cli deploy --fprocess "…" or --env fprocess="…"; ' +
      'in stack.yml, fprocess: or environment:)'
    )
  }
  const env = Object.entries(spec.envVars ?? {})
  if (env.some(([key, value]) => key === '' || key.includes('=') || `${key}${value}`.includes('\0'))) {
    return 'envVars names must be non-empty without "=", and values without NUL bytes'
  }
  return null
}

export function validateDesired(desired: DesiredFunction): void {
  if (!isDns1123Label(desired.name) || !isDns1123Label(desired.namespace)) {
    throw new ProviderError('INVALID', 'function name and namespace must be DNS-1123 labels')
  }
  const problem = specProblem(desired.spec)
  if (problem) throw new ProviderError('INVALID', problem)
  validateReplicas(desired.replicas)
}
