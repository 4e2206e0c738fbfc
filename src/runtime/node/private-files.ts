/**
 * @module
 * The data folder holds the admin credentials, the secrets key and the database, so only the gateway's
 * user may read it: the folder is 0700 and those files 0600. `mkdir`'s and `open`'s modes apply only to
 * what they create (and pass through the umask), so a folder or file left by an older version, created by
 * hand, or restored from a backup keeps whatever mode it had unless it is tightened explicitly, here.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'

/** Creates `dir` (and parents) if needed, then makes `dir` itself 0700 whoever created it. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/** Creates `path` empty if it does not exist, then makes it 0600. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600))
  chmodSync(path, 0o600)
}

/** Makes `path` 0600 if it exists; a missing file is not an error. */
export function tightenFile(path: string): void {
  try {
    chmodSync(path, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
