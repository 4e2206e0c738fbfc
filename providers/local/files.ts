/**
 * @module
 * The provider's files: one root per provider process (`<dataDir>/local/<pid>`, or `/run/edgefaas/<pid>`
 * in `user` mode, where functions must reach their folders without crossing the 0700 data folder), one
 * folder per function and spec version, holding the secrets (dir 0700, files 0400) and a work dir. When
 * functions run as another user, that user owns its secrets (dir 0500) and work dir, and the folders on
 * the way are 0711: crossable, not listable. Roots of dead gateway processes are removed at start-up so
 * decrypted secrets do not outlive their gateway.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { type DesiredFunction, ProviderError } from '../types.ts'
import type { FunctionUser } from './function-user.ts'
import { isInside } from './sandbox.ts'

/** Removes the roots under `base` left behind by processes that no longer run. */
export function removeStaleRoots(base: string): void {
  let entries: string[]
  try {
    entries = fs.readdirSync(base)
  } catch {
    return
  }
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue
    try {
      fs.rmSync(path.join(base, entry), { recursive: true, force: true })
    } catch {
      // Left by a gateway running as another user: not ours to remove.
    }
  }
}

/**
 * Creates this process's root under `base` with `mode` (0700, or 0711 when functions run as other users
 * and must cross it), after removing the roots of processes that no longer run.
 */
export function prepareRoot(base: string, mode: 0o700 | 0o711): string {
  // An existing base keeps its mode: it may be shared with other gateways (the isolation probe checks it).
  fs.mkdirSync(base, { recursive: true, mode })
  removeStaleRoots(base)
  const root = path.join(base, String(process.pid))
  fs.mkdirSync(root, { recursive: true, mode })
  fs.chmodSync(root, mode)
  return root
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** A short hash of what replicas are started from (spec and secret values); a change means restart. */
export function versionOf(desired: DesiredFunction): string {
  const hash = createHash('sha256').update(stableJson(desired.spec))
  for (const name of Object.keys(desired.secrets).sort()) {
    hash.update(`\0${name}\0`).update(desired.secrets[name] ?? new Uint8Array())
  }
  return hash.digest('hex').slice(0, 10)
}

const SAFE_SECRET_NAME = /^[A-Za-z0-9._-]+$/

/** mkdir -p whose new folders get `mode` exactly (mkdir's mode is filtered by the umask). */
async function makeDirs(dir: string, mode: number): Promise<void> {
  const first = await fs.promises.mkdir(dir, { recursive: true, mode })
  if (first === undefined) return
  for (let current = dir; isInside(current, first); current = path.dirname(current))
    await fs.promises.chmod(current, mode)
}

/**
 * Writes the secrets of one version to `<dir>/secrets` as 0400 files, and creates `<dir>/work`; returns
 * the secrets folder. With an `owner`, both belong to it (secrets folder 0500, work dir 0700) and the
 * folders from the root down to `dir` are 0711, so that user reaches its own files and nothing else.
 */
export async function writeSecrets(
  dir: string,
  desired: DesiredFunction,
  owner?: FunctionUser,
): Promise<string> {
  const secretsDir = path.join(dir, 'secrets')
  for (const name of desired.spec.secrets ?? []) {
    if (!(name in desired.secrets)) {
      throw new ProviderError('INVALID', `secret ${JSON.stringify(name)} has no value: create it first`)
    }
  }
  await fs.promises.rm(secretsDir, { recursive: true, force: true })
  await makeDirs(dir, owner ? 0o711 : 0o700)
  await fs.promises.mkdir(secretsDir, { mode: 0o700 })
  for (const [name, value] of Object.entries(desired.secrets)) {
    if (!SAFE_SECRET_NAME.test(name) || name === '.' || name === '..') {
      throw new ProviderError('INVALID', `secret name ${JSON.stringify(name)} cannot be a file name`)
    }
    const file = path.join(secretsDir, name)
    await fs.promises.writeFile(file, value, { mode: 0o400 })
    if (owner) await fs.promises.chown(file, owner.uid, owner.gid)
  }
  const workDir = path.join(dir, 'work')
  await fs.promises.mkdir(workDir, { recursive: true, mode: 0o700 })
  if (owner) {
    // The folder last: until then the function's user cannot even open it.
    await fs.promises.chmod(secretsDir, 0o500)
    await fs.promises.chown(secretsDir, owner.uid, owner.gid)
    await fs.promises.chown(workDir, owner.uid, owner.gid)
  }
  return secretsDir
}

/** Removes a folder tree, ignoring its absence. */
export function removeTree(dir: string): Promise<void> {
  return fs.promises.rm(dir, { recursive: true, force: true })
}
