/**
 * @module
 * Loads a stack file the way faas-cli does: the file (`-f`, a path or an http(s) URL; default
 * ./stack.yaml, then ./stack.yml), `${VAR:-default}` substitution from the environment (unless
 * turned off), the schema, then `--filter` (a `*` wildcard) or `--regex` on function names.
 */
import { access, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CliError, usageError } from '../errors.ts'
import { envsubst, SubstitutionError } from './envsubst.ts'
import { readStack, type Stack, StackError } from './schema.ts'
import { parseYamlText, YamlError } from './yaml-text.ts'

export interface LoadOptions {
  file?: string
  filter?: string
  regex?: string
  envsubst?: boolean
  env: Record<string, string | undefined>
  cwd: string
}

export interface LoadedStack extends Stack {
  /** Where it was read from, for messages. */
  source: string
}

export async function loadStack(options: LoadOptions): Promise<LoadedStack> {
  if (options.filter && options.regex) throw usageError('give --filter or --regex, not both')
  const source = options.file ?? (await defaultFile(options.cwd))
  const text = await readSource(source, options.cwd)
  let stack: Stack
  try {
    const substituted = options.envsubst === false ? text : envsubst(text, options.env)
    stack = readStack(parseYamlText(substituted))
  } catch (error) {
    if (error instanceof StackError || error instanceof YamlError || error instanceof SubstitutionError) {
      throw new CliError(`${source}: ${error.message}`)
    }
    throw error
  }
  const functions = stack.functions.filter(matcher(options))
  if ((options.filter || options.regex) && functions.length === 0) {
    throw new CliError(
      `no function in ${source} matches ${options.filter ? `--filter "${options.filter}"` : `--regex "${options.regex}"`}; functions: ${stack.functions.map((f) => f.name).join(', ') || 'none'}`,
    )
  }
  return { ...stack, functions, source }
}

/** Whether a function name is selected by --filter / --regex (all when neither is given). */
export function matcher(options: { filter?: string; regex?: string }): (fn: { name: string }) => boolean {
  if (options.regex) {
    let re: RegExp
    try {
      re = new RegExp(options.regex)
    } catch (error) {
      throw usageError(`--regex: ${(error as Error).message}`)
    }
    return (fn) => re.test(fn.name)
  }
  if (options.filter) {
    const parts = options.filter.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    const re = new RegExp(`^${parts.join('.*')}$`)
    return (fn) => re.test(fn.name)
  }
  return () => true
}

async function defaultFile(cwd: string): Promise<string> {
  for (const name of ['stack.yaml', 'stack.yml']) {
    try {
      await access(resolve(cwd, name))
      return name
    } catch {}
  }
  throw usageError(`no stack file: give one with -f (looked for stack.yaml and stack.yml in ${cwd})`)
}

async function readSource(source: string, cwd: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    let response: Response
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(30_000) })
    } catch (error) {
      throw new CliError(`cannot fetch the stack file ${source}: ${(error as Error).message}`)
    }
    if (!response.ok) throw new CliError(`cannot fetch the stack file ${source}: ${response.status}`)
    return response.text()
  }
  try {
    return await readFile(resolve(cwd, source), 'utf8')
  } catch (error) {
    throw new CliError(
      `cannot read the stack file ${source}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    )
  }
}
