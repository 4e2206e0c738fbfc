/**
 * @module
 * The local provider: runs functions as processes on this host, for development and small
 * single-machine installs.
 *
 * Every replica is a process group listening on its own loopback port: the classic watchdog forking
 * `envProcess` per request (default), or `envProcess` itself as a long-running HTTP server
 * (`envVars.mode = "http"`). Replicas are restarted when they exit, logs are kept in memory per
 * instance, secrets are files. Functions are isolated from the gateway and from each other by bubblewrap
 * or by running as other users, or, when asked for, not at all (sandbox.ts); launch.ts tells how each
 * mode gives a function its secrets.
 *
 * `invoke(namespace, name, path, request)` forwards to `http://127.0.0.1:<port><path>`; `path` is what
 * follows `/function/<name>` (at least `/`) with the raw query appended.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareRoot, removeStaleRoots } from './files.ts'
import { chooseIsolation } from './isolation.ts'
import { WATCHDOG } from './launch.ts'
import { type LocalProviderOptions, type ResolvedOptions, resolveOptions } from './options.ts'
import { type LocalProvider, LocalProviderImpl } from './provider.ts'
import { isInside, probeSetpriv } from './sandbox.ts'

export type { LocalProviderLogger, LocalProviderOptions } from './options.ts'
export type { LocalProvider, ReplicaRoute, ReplicaTableSource } from './provider.ts'
export { isReplicaTableSource, REPLICA_DROPPED_HEADERS } from './provider.ts'
export type { SandboxMode } from './sandbox.ts'
export { specProblem as localSpecProblem } from './validate.ts'

/** What replicas run from: this Node binary's folder and edgefaas's own code (the watchdog). */
function visibleDirs(options: ResolvedOptions): string[] {
  const repository = fileURLToPath(new URL('../..', import.meta.url))
  return [path.dirname(fs.realpathSync(options.nodePath)), fs.realpathSync(repository)]
}

/**
 * The sandbox hides the whole data dir (the gateway's database may live there), unless the programs
 * replicas run from are inside it; then only the provider's own folder.
 */
function hiddenDirs(options: ResolvedOptions, localDir: string): string[] {
  const dataDir = fs.realpathSync(options.dataDir)
  const needed = [options.nodePath, fileURLToPath(import.meta.url)].map((file) => fs.realpathSync(file))
  return [needed.some((file) => isInside(file, dataDir)) ? localDir : dataDir]
}

/**
 * Creates the local provider. Synchronous: it probes the isolation once (bwrap and/or setpriv running
 * Node.js, tens of milliseconds), says which is in force, and cleans up files left by gateway processes
 * that are gone. Throws when the isolation asked for (or, under `auto`, any isolation) cannot be had.
 */
export function createLocalProvider(options: LocalProviderOptions): LocalProvider {
  const resolved = resolveOptions(options)
  const localDir = path.resolve(resolved.dataDir, 'local')
  fs.mkdirSync(localDir, { recursive: true, mode: 0o700 })
  const hidden = hiddenDirs(resolved, localDir)
  const visible = visibleDirs(resolved)
  const isolation = chooseIsolation(resolved, { reads: [WATCHDOG], hidden, visible })
  const separateUsers = isolation.mode === 'user'
  // Decrypted secrets of dead gateways go, whichever mode they ran in (prepareRoot cleans its own base).
  removeStaleRoots(separateUsers ? localDir : resolved.runDir)
  const root = separateUsers ? prepareRoot(resolved.runDir, 0o711) : prepareRoot(localDir, 0o700)
  const runner = {
    sandbox: isolation.mode,
    parentDeathSignal: isolation.mode === 'none' && probeSetpriv(),
    hidden,
    visible,
    nodePath: resolved.nodePath,
    user: isolation.user,
  }
  return new LocalProviderImpl({ options: resolved, runner, root, users: isolation.users })
}
