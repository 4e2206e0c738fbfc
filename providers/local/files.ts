/**
 * @module
 * The provider's files under `dataDir`: one root per provider process (`<dataDir>/local/<pid>`), one
 * folder per function and spec version, holding the secrets (dir 0700, files 0400) and a work dir. Roots
 * of dead gateway processes are removed at start-up so decrypted secrets do not outlive their gateway.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { type DesiredFunction, ProviderError } from '../types.ts'

/** Creates this process's root and removes the roots left behind by processes that no longer run. */
export function prepareRoot(dataDir: string): string {
  const base = path.resolve(dataDir, 'local')
  fs.mkdirSync(base, { recursive: true, mode: 0o700 })
  for (const entry of fs.readdirSync(base)) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue
    fs.rmSync(path.join(base, entry), { recursive: true, force: true })
  }
  const root = path.join(base, String(process.pid))
  fs.mkdirSync(root, { recursive: true, mode: 0o700 })
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

/** Writes the secrets of one version to `<dir>/secrets` (0700) as 0400 files; returns that folder. */
export async function writeSecrets(dir: string, desired: DesiredFunction): Promise<string> {
  const secretsDir = path.join(dir, 'secrets')
  for (const name of desired.spec.secrets ?? []) {
    if (!(name in desired.secrets)) {
      throw new ProviderError('INVALID', `secret ${JSON.stringify(name)} has no value: create it first`)
    }
  }
  await fs.promises.rm(secretsDir, { recursive: true, force: true })
  await fs.promises.mkdir(secretsDir, { recursive: true, mode: 0o700 })
  for (const [name, value] of Object.entries(desired.secrets)) {
    if (!SAFE_SECRET_NAME.test(name) || name === '.' || name === '..') {
      throw new ProviderError('INVALID', `secret name ${JSON.stringify(name)} cannot be a file name`)
    }
    await fs.promises.writeFile(path.join(secretsDir, name), value, { mode: 0o400 })
  }
  await fs.promises.mkdir(path.join(dir, 'work'), { recursive: true, mode: 0o700 })
  return secretsDir
}

/** Removes a folder tree, ignoring its absence. */
export function removeTree(dir: string): Promise<void> {
  return fs.promises.rm(dir, { recursive: true, force: true })
}
