/**
 * @module
 * The local provider: runs functions as processes on this host, for development and small
 * single-machine installs.
 *
 * Every replica is a process group listening on its own loopback port: the classic watchdog forking
 * `envProcess` per request (default), or `envProcess` itself as a long-running HTTP server
 * (`envVars.mode = "http"`). Replicas are restarted when they exit, logs are kept in memory per
 * instance, secrets are files. With bubblewrap installed, each replica runs in a sandbox that mounts its
 * secrets at /var/openfaas/secrets (see sandbox.ts); without it, see launch.ts for how secrets are given.
 *
 * `invoke(namespace, name, path, request)` forwards to `http://127.0.0.1:<port><path>`; `path` is what
 * follows `/function/<name>` (at least `/`) with the raw query appended.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareRoot } from './files.ts'
import { type LocalProviderOptions, type ResolvedOptions, resolveOptions } from './options.ts'
import { type LocalProvider, LocalProviderImpl } from './provider.ts'
import { isInside, probeBwrap, probeSetpriv, type SandboxMode } from './sandbox.ts'

export type { LocalProviderLogger, LocalProviderOptions } from './options.ts'
export type { LocalProvider } from './provider.ts'
export type { SandboxMode } from './sandbox.ts'

/** What replicas run from: this Node binary's folder and edgefaas's own code (the watchdog). */
function visibleDirs(options: ResolvedOptions): string[] {
  const repository = fileURLToPath(new URL('../..', import.meta.url))
  return [path.dirname(fs.realpathSync(options.nodePath)), fs.realpathSync(repository)]
}

function chooseSandbox(options: ResolvedOptions, root: string): SandboxMode {
  if (options.sandbox === 'none') {
    options.logger.info('running functions without a sandbox (sandbox: none)')
    return 'none'
  }
  const probe = probeBwrap(root, visibleDirs(options))
  if (probe.ok) {
    options.logger.info('running functions in a bubblewrap sandbox')
    return 'bwrap'
  }
  if (options.sandbox === 'bwrap') throw new Error(`sandbox 'bwrap' was requested but ${probe.reason}`)
  options.logger.warn(`running functions without a sandbox: ${probe.reason}`)
  return 'none'
}

/**
 * The sandbox hides the whole data dir (the gateway's database may live there), unless the programs
 * replicas run from are inside it; then only the provider's own folder.
 */
function hiddenDirs(options: ResolvedOptions, root: string): string[] {
  const dataDir = fs.realpathSync(options.dataDir)
  const needed = [options.nodePath, fileURLToPath(import.meta.url)].map((file) => fs.realpathSync(file))
  return [needed.some((file) => isInside(file, dataDir)) ? path.dirname(root) : dataDir]
}

/**
 * Creates the local provider. Synchronous: it probes bubblewrap once (a few milliseconds) and cleans up
 * files left by gateway processes that are gone. Throws when `sandbox: 'bwrap'` is asked for but unusable.
 */
export function createLocalProvider(options: LocalProviderOptions): LocalProvider {
  const resolved = resolveOptions(options)
  const root = prepareRoot(resolved.dataDir)
  const sandbox = chooseSandbox(resolved, root)
  const parentDeathSignal = sandbox === 'none' && probeSetpriv()
  const runner = {
    sandbox,
    parentDeathSignal,
    hidden: hiddenDirs(resolved, root),
    visible: visibleDirs(resolved),
    nodePath: resolved.nodePath,
  }
  return new LocalProviderImpl({ options: resolved, runner, root })
}
