/**
 * @module
 * A stack function → the FunctionDeployment faas-cli sends for it (contract §6.3, faas-cli
 * commands/deploy.go): `environment` merged with the `environment_file`s (read relative to the working
 * directory as faas-cli does; later files win, files win over inline values), labels and annotations
 * always present (`{}`), limits and requests only when a memory or cpu is set, `fprocess` from
 * ./template/<lang>/template.yml when the stack gives none for a template language.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { FunctionDeployment } from '../../contract/types.ts'
import { CliError } from '../errors.ts'
import type { Stack, StackFunction } from './schema.ts'
import { parseYamlText } from './yaml-text.ts'

/** faas-cli's deploy flags, applied on top of the stack file as faas-cli applies them. */
export interface DeployOverrides {
  /** `--namespace`: wins over the stack's. */
  namespace?: string
  /** `--env`: wins over inline values and files. */
  env?: Record<string, string>
  /** `--label`, `--annotation`: merged over the stack's. */
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** `--secret`: added to the stack's. */
  secrets?: string[]
  /** `--constraint`: used only when the stack gives none. */
  constraints?: string[]
  /** `--readonly`: forces a read-only root filesystem. */
  readOnly?: boolean
}

export async function toDeployment(
  fn: StackFunction,
  stack: Stack & { source: string },
  cwd: string,
  overrides: DeployOverrides = {},
): Promise<FunctionDeployment> {
  const envVars = {
    ...fn.environment,
    ...(await readEnvironmentFiles(fn, stack.source, cwd)),
    ...overrides.env,
  }
  const deployment: FunctionDeployment = { service: fn.name, image: fn.image }
  const namespace = overrides.namespace || fn.namespace
  if (namespace) deployment.namespace = namespace
  const envProcess = fn.fprocess ?? (await templateFprocess(fn, cwd))
  if (envProcess) deployment.envProcess = envProcess
  if (Object.keys(envVars).length > 0) deployment.envVars = envVars
  const constraints = fn.constraints ?? overrides.constraints
  if (constraints && constraints.length > 0) deployment.constraints = constraints
  const secrets = [...new Set([...(overrides.secrets ?? []), ...fn.secrets])]
  if (secrets.length > 0) deployment.secrets = secrets
  deployment.labels = { ...fn.labels, ...overrides.labels }
  deployment.annotations = { ...fn.annotations, ...overrides.annotations }
  if (fn.limits && (fn.limits.memory || fn.limits.cpu)) deployment.limits = fn.limits
  if (fn.requests && (fn.requests.memory || fn.requests.cpu)) deployment.requests = fn.requests
  if (fn.readOnlyRootFilesystem || overrides.readOnly) deployment.readOnlyRootFilesystem = true
  return deployment
}

async function readEnvironmentFiles(fn: StackFunction, source: string, cwd: string) {
  const merged: Record<string, string> = {}
  for (const file of fn.environmentFile) {
    let text: string
    try {
      text = await readFile(resolve(cwd, file), 'utf8')
    } catch (error) {
      const besideStack = /^https?:/.test(source) ? null : resolve(cwd, dirname(source), file)
      const hint =
        besideStack && besideStack !== resolve(cwd, file)
          ? `; environment_file paths are relative to the working directory (as with faas-cli): run from ${dirname(resolve(cwd, source))} or write the path from here`
          : ''
      throw new CliError(
        `functions.${fn.name}.environment_file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})${hint}`,
      )
    }
    let doc: ReturnType<typeof parseYamlText>
    try {
      doc = parseYamlText(text)
    } catch (error) {
      throw new CliError(`functions.${fn.name}.environment_file: ${file}: ${(error as Error).message}`)
    }
    const environment = doc && typeof doc === 'object' && !Array.isArray(doc) ? doc.environment : undefined
    if (environment === undefined || environment === null) continue
    if (typeof environment !== 'object' || Array.isArray(environment)) {
      throw new CliError(`${file}: "environment" must be a mapping of names to values`)
    }
    for (const [key, value] of Object.entries(environment)) {
      if (typeof value === 'object' && value !== null) {
        throw new CliError(`${file}: environment.${key} must be a string`)
      }
      merged[key] = value ?? ''
    }
  }
  return merged
}

async function templateFprocess(fn: StackFunction, cwd: string): Promise<string | undefined> {
  if (!fn.lang || fn.lang === 'dockerfile') return undefined
  const path = resolve(cwd, 'template', fn.lang, 'template.yml')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new CliError(
      `functions.${fn.name}: lang "${fn.lang}" needs ./template/${fn.lang}/template.yml for its fprocess (run \`faas-cli template pull\`), or set fprocess in the stack file`,
    )
  }
  const doc = parseYamlText(text)
  const fprocess = doc && typeof doc === 'object' && !Array.isArray(doc) ? doc.fprocess : undefined
  return typeof fprocess === 'string' && fprocess !== '' ? fprocess : undefined
}
