/**
 * @module
 * faas-cli's own config file, read and written the way faas-cli does (contract §6.1), so a
 * `faas-cli login` carries over to edgefaas and back: `~/.openfaas/config.yml` (the folder is
 * `$OPENFAAS_CONFIG`, or `./.openfaas` when `CI` is `true` or `1`), entries
 * `{gateway, auth: basic|oauth2, token}` looked up by the normalised gateway URL; a basic entry's token
 * is base64 of `user:password`, an oauth2 entry's token is sent as a bearer token.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { CliError } from './errors.ts'

export interface AuthEntry {
  gateway: string
  auth: 'basic' | 'oauth2' | string
  token: string
  options?: Array<{ name: string; value: string }>
}

interface ConfigFile {
  auths?: AuthEntry[]
  [key: string]: unknown
}

export type SavedAuth = { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string }

export function configPath(env: Record<string, string | undefined>, cwd: string): string {
  const dir = env.OPENFAAS_CONFIG
    ? env.OPENFAAS_CONFIG
    : env.CI === 'true' || env.CI === '1'
      ? join(cwd, '.openfaas')
      : join(env.HOME || homedir(), '.openfaas')
  return join(dir, 'config.yml')
}

async function readConfig(path: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = parse(text)
  } catch (error) {
    throw new CliError(`${path} is not valid YAML (${(error as Error).message}); fix or delete it`)
  }
  if (parsed === null || parsed === undefined) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`${path} must be a mapping with an "auths" list; fix or delete it`)
  }
  const config = parsed as ConfigFile
  if (config.auths !== undefined && !Array.isArray(config.auths)) {
    throw new CliError(`${path}: "auths" must be a list; fix or delete it`)
  }
  return config
}

/** The credentials saved for this gateway, if any. */
export async function lookupAuth(path: string, gateway: string): Promise<SavedAuth | null> {
  const config = await readConfig(path)
  const entry = config.auths?.find((a) => a && a.gateway === gateway)
  if (!entry || typeof entry.token !== 'string') return null
  if (entry.auth === 'basic') {
    const decoded = Buffer.from(entry.token, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new CliError(`${path}: the basic credentials for ${gateway} are not user:password`)
    return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  return { kind: 'bearer', token: entry.token }
}

/** Adds or replaces this gateway's entry; the file is written 0600 in a 0700 folder, as faas-cli does. */
export async function saveAuth(path: string, gateway: string, auth: SavedAuth): Promise<void> {
  const config = await readConfig(path)
  const entry: AuthEntry =
    auth.kind === 'basic'
      ? { gateway, auth: 'basic', token: Buffer.from(`${auth.user}:${auth.password}`).toString('base64') }
      : { gateway, auth: 'oauth2', token: auth.token }
  config.auths = [...(config.auths ?? []).filter((a) => a?.gateway !== gateway), entry]
  await write(path, config)
}

/** Removes this gateway's entry; false when there was none. */
export async function removeAuth(path: string, gateway: string): Promise<boolean> {
  const config = await readConfig(path)
  const before = config.auths ?? []
  const after = before.filter((a) => a?.gateway !== gateway)
  if (after.length === before.length) return false
  config.auths = after
  await write(path, config)
  return true
}

async function write(path: string, config: ConfigFile): Promise<void> {
  const dir = join(path, '..')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // Written beside and renamed: a crash never leaves a half-written file that loses every login.
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, stringify(config), { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, path)
}
