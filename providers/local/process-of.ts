/**
 * @module
 * The command a local function runs. OpenFaaS gives the watchdog its process in the `fprocess`
 * environment variable, filled from the deployment's `envProcess`; a stack.yml or `faas-cli deploy
 * --env fprocess=…` that sets the variable itself works on OpenFaaS, so it works here too: `envProcess`
 * when given, else `envVars.fprocess`.
 */
import type { FunctionDeployment } from '../../src/contract/types.ts'

export function processOf(spec: Pick<FunctionDeployment, 'envProcess' | 'envVars'>): string {
  return spec.envProcess?.trim() || spec.envVars?.fprocess?.trim() || ''
}
