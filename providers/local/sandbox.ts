/**
 * @module
 * The bubblewrap sandbox. Inside it a replica sees the host read-only, a private /tmp, its own /dev and
 * /proc, a private PID namespace, its own secrets at /var/openfaas/secrets and not the provider's data
 * dir (so not other functions' secrets). The network is shared, because replicas listen on loopback. It
 * isolates files, not users: the function still runs as the gateway's user and can reach host sockets.
 *
 * /var/openfaas does not exist on most hosts and the root is read-only, so /var is rebuilt as a tmpfs
 * holding read-only binds of the host's /var entries plus the secrets mount point.
 *
 * No --new-session: replicas are spawned detached, so they have no controlling terminal to protect, and
 * staying in the spawned process group is what lets one group signal stop the sandboxed process too.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export type SandboxMode = 'bwrap' | 'none'

export const SECRETS_MOUNT = '/var/openfaas/secrets'

function varArgs(): string[] {
  const args = ['--tmpfs', '/var']
  let entries: fs.Dirent[] = []
  try {
    entries = fs.readdirSync('/var', { withFileTypes: true })
  } catch {
    // No /var on the host: the tmpfs alone is enough.
  }
  for (const entry of entries) {
    if (entry.name === 'openfaas') continue
    const target = path.join('/var', entry.name)
    if (entry.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(target), target)
    else args.push('--ro-bind', target, target)
  }
  return args
}

/** True when `dir` is `parent` or below it. */
export function isInside(dir: string, parent: string): boolean {
  const relative = path.relative(parent, dir)
  return !relative.startsWith('..') && !path.isAbsolute(relative)
}

export interface SandboxPaths {
  secretsDir: string
  /** Folders the function must not see (the data dir). */
  hidden: readonly string[]
  /**
   * Folders the replica needs (this Node binary, edgefaas's own code), bound back read-only when they
   * live under /tmp, which the sandbox otherwise replaces with an empty private one.
   */
  visible: readonly string[]
}

/** Builds the bwrap argument list (everything before `--` and the command). */
export function bwrapArgs(options: SandboxPaths): string[] {
  const args = ['--ro-bind', '/', '/', ...varArgs(), '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp']
  const rebound = options.visible.filter((dir) => isInside(dir, '/tmp'))
  for (const dir of rebound) args.push('--ro-bind', dir, dir)
  // Folders under the private /tmp are hidden already, unless a visible folder brought them back.
  for (const dir of options.hidden) {
    if (!isInside(dir, '/tmp') || rebound.some((v) => isInside(dir, v)))
      args.push('--tmpfs', dir, '--remount-ro', dir)
  }
  args.push('--ro-bind', options.secretsDir, SECRETS_MOUNT, '--remount-ro', '/var')
  args.push('--unshare-pid', '--die-with-parent', '--chdir', '/tmp')
  return args
}

/** Whether bwrap can run here: it must exist and be allowed to create namespaces (some containers forbid it). */
export function probeBwrap(
  scratchDir: string,
  visible: readonly string[] = [],
): { ok: true } | { ok: false; reason: string } {
  const secretsDir = path.join(scratchDir, 'probe-secrets')
  fs.mkdirSync(secretsDir, { recursive: true })
  try {
    const result = spawnSync('bwrap', [...bwrapArgs({ secretsDir, hidden: [], visible }), '--', 'true'], {
      timeout: 10_000,
      encoding: 'utf8',
    })
    const error = result.error as NodeJS.ErrnoException | undefined
    if (error?.code === 'ENOENT')
      return { ok: false, reason: 'bubblewrap (bwrap) not found; apt-get install bubblewrap' }
    if (error) return { ok: false, reason: `bwrap could not run: ${error.message}` }
    if (result.status !== 0) {
      const detail = result.stderr.trim().split('\n')[0] || `exit status ${result.status}`
      return { ok: false, reason: `bwrap cannot create a sandbox here (${detail})` }
    }
    return { ok: true }
  } finally {
    fs.rmSync(secretsDir, { recursive: true, force: true })
  }
}

/**
 * Whether util-linux `setpriv --pdeathsig` is available. Unsandboxed replicas are started through it so
 * the kernel kills them when the gateway dies in a way no exit hook sees (SIGKILL, or the SIGTERM that
 * `node --watch` sends on restart).
 */
export function probeSetpriv(): boolean {
  const result = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { timeout: 5_000 })
  return result.status === 0
}
