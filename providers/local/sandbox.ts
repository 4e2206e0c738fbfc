/**
 * @module
 * How local functions are isolated. The mode is chosen once at start (isolation.ts), said in one log
 * line, and applies to every replica:
 *
 * - `bwrap`: a bubblewrap sandbox. A replica sees the host read-only, a private /tmp (its only writable
 *   place, with /dev/shm), its own /dev, /proc, PID and IPC namespaces, its own secrets at
 *   /var/openfaas/secrets, and not the gateway's data folder (so neither the secrets key, the database nor
 *   other functions' secrets). It has no capabilities and cannot gain any: bwrap drops them and sets
 *   no_new_privs. When the gateway is root, bwrap alone would leave the function root with full
 *   capabilities (able to `umount -l /tmp` and read what lies beneath), so the function is also switched
 *   to an unprivileged user, `nobody` by default (function-user.ts): bwrap keeps only the capabilities
 *   setpriv needs for that switch, and setpriv gives them up with the uid. Folders the replica must run
 *   from (Node.js, edgefaas's watchdog) but that user could not reach, like a checkout under /root (0700),
 *   are bound back under an empty tmpfs laid over the blocking folder. A gateway that is not root runs
 *   bwrap inside a user namespace, where the function keeps the gateway's uid without its capabilities.
 * - `user` (gateway is root, no bubblewrap): each function runs as its own unprivileged uid through
 *   `setpriv`, without capabilities or new privileges. The data folder (0700) is out of its reach, so its
 *   secrets (0400) and work folder (0700, its HOME and TMPDIR), owned by its uid, live under `/run/edgefaas`
 *   in folders others may cross but not list. It still sees the rest of the host as any local user
 *   does: the process list, world-readable files, and a shared, writable /tmp.
 * - `none`: plain processes as the gateway's user. They can read everything the gateway can, its data
 *   folder included; only for development, and only when asked for by name.
 *
 * `auto` (the default) takes `bwrap` when bubblewrap works here, else `user` when the gateway is root,
 * and otherwise refuses to start: running functions unisolated must be asked for (`none`).
 *
 * All modes share the network: replicas listen on loopback, so a function can reach the gateway's port,
 * other functions' ports and the host's abstract Unix sockets.
 *
 * /var/openfaas does not exist on most hosts and the root is read-only, so /var is rebuilt as a tmpfs
 * holding read-only binds of the host's /var entries plus the secrets mount point.
 *
 * No --new-session: replicas are spawned detached, so they have no controlling terminal to protect, and
 * staying in the spawned process group is what lets one group signal stop the sandboxed process too.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type FunctionUser, firstUnsearchable, setprivArgs } from './function-user.ts'

export type SandboxMode = 'bwrap' | 'user' | 'none'

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
  // bwrap would create the mount point's parent 0700 when started by root: unreachable for the function.
  args.push('--perms', '0755', '--dir', path.dirname(SECRETS_MOUNT))
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
   * live under /tmp, which the sandbox otherwise replaces with an empty private one, or behind a folder
   * the function's user cannot search.
   */
  visible: readonly string[]
  /** The user to switch to inside the sandbox: set when the gateway is root. */
  user?: FunctionUser
}

/** Folders laid over with an empty tmpfs: /tmp, and whatever would stop the function's user reaching a visible folder. */
function maskedDirs(options: SandboxPaths): string[] {
  const masks = ['/tmp']
  const { user } = options
  if (user) {
    for (const dir of options.visible) {
      if (masks.some((mask) => isInside(dir, mask))) continue
      const blocked = firstUnsearchable(path.dirname(dir), user)
      if (blocked) masks.push(blocked)
    }
  }
  return masks.filter((mask) => !masks.some((other) => other !== mask && isInside(mask, other)))
}

/** `--dir` for each folder strictly between `mask` and `dir`, searchable (bwrap would copy the host's mode). */
function parentDirs(dir: string, mask: string): string[] {
  const args: string[] = []
  let current = mask
  const parts = path.relative(mask, path.dirname(dir)).split(path.sep).filter(Boolean)
  for (const part of parts) {
    current = path.join(current, part)
    args.push('--perms', '0755', '--dir', current)
  }
  return args
}

/**
 * The bwrap arguments before the function's command: the namespaces and mounts, then (gateway is root)
 * setpriv to the function's user, ending with `--`.
 */
export function sandboxArgs(options: SandboxPaths): string[] {
  const args = [
    '--ro-bind',
    '/',
    '/',
    ...varArgs(),
    '--dev',
    '/dev',
    '--perms',
    '1777',
    '--tmpfs',
    '/dev/shm',
  ]
  args.push('--proc', '/proc')
  const masks = maskedDirs(options)
  for (const mask of masks) args.push(...(mask === '/tmp' ? ['--perms', '1777'] : []), '--tmpfs', mask)
  const rebound = options.visible.filter(
    (dir) =>
      masks.some((mask) => isInside(dir, mask)) &&
      !options.visible.some((other) => other !== dir && isInside(dir, other)),
  )
  for (const dir of rebound) {
    const mask = masks.find((m) => isInside(dir, m)) ?? '/tmp'
    args.push(...parentDirs(dir, mask), '--ro-bind', dir, dir)
  }
  // Folders under a mask are hidden already, unless a visible folder brought them back.
  for (const dir of options.hidden) {
    if (!masks.some((mask) => isInside(dir, mask)) || rebound.some((v) => isInside(dir, v)))
      args.push('--tmpfs', dir, '--remount-ro', dir)
  }
  args.push('--ro-bind', options.secretsDir, SECRETS_MOUNT, '--remount-ro', '/var')
  args.push('--unshare-pid', '--unshare-ipc', '--die-with-parent', '--chdir', '/tmp', '--cap-drop', 'ALL')
  if (options.user) {
    // Only what setpriv needs to become the function's user and empty the bounding set; it loses them then.
    for (const cap of ['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP']) args.push('--cap-add', cap)
    args.push('--', 'setpriv', ...setprivArgs(options.user))
  }
  args.push('--')
  return args
}

export type ProbeResult = { ok: true } | { ok: false; reason: string }

/** The first line of what a failed probe printed, or its exit status. */
function failure(result: ReturnType<typeof spawnSync>): string {
  const stderr = String(result.stderr ?? '').trim()
  return stderr.split('\n')[0] || `exit status ${result.status}`
}

/**
 * A command that succeeds when the user it runs as can run this Node.js binary and read every file (or
 * search every folder) in `paths`: what a replica needs.
 */
export function reachCheck(nodePath: string, paths: readonly string[]): string[] {
  const script = `const fs = require('node:fs')
try {
  for (const p of process.argv.slice(1)) fs.accessSync(p, fs.statSync(p).isDirectory() ? 1 : 4)
} catch (error) {
  console.error(error.message)
  process.exit(1)
}`
  return [nodePath, '-e', script, ...paths]
}

/**
 * Whether bwrap can run here, as replicas will: it must exist, be allowed to create namespaces (some
 * containers forbid it), and the function's user must reach what `check` looks at.
 */
export function probeBwrap(paths: Omit<SandboxPaths, 'secretsDir'>, check: readonly string[]): ProbeResult {
  const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefaas-probe-'))
  if (paths.user) fs.chownSync(secretsDir, paths.user.uid, paths.user.gid)
  try {
    const result = spawnSync('bwrap', [...sandboxArgs({ ...paths, secretsDir }), ...check], {
      timeout: 10_000,
      encoding: 'utf8',
    })
    const error = result.error as NodeJS.ErrnoException | undefined
    if (error?.code === 'ENOENT')
      return { ok: false, reason: 'bubblewrap (bwrap) not found; apt-get install bubblewrap' }
    if (error) return { ok: false, reason: `bwrap could not run: ${error.message}` }
    if (result.status !== 0) return { ok: false, reason: `bwrap cannot sandbox here (${failure(result)})` }
    return { ok: true }
  } finally {
    fs.rmSync(secretsDir, { recursive: true, force: true })
  }
}

/** Whether setpriv can run `check` as `user` (the gateway must be root, and setpriv installed). */
export function probeUser(user: FunctionUser, check: readonly string[]): ProbeResult {
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'the gateway is not root, so it cannot run functions as other users' }
  const [command = '', ...args] = check
  const result = spawnSync('setpriv', [...setprivArgs(user), '--', command, ...args], {
    timeout: 10_000,
    encoding: 'utf8',
    cwd: '/',
  })
  const error = result.error as NodeJS.ErrnoException | undefined
  if (error?.code === 'ENOENT') return { ok: false, reason: 'setpriv not found; apt-get install util-linux' }
  if (error) return { ok: false, reason: `setpriv could not run: ${error.message}` }
  if (result.status !== 0)
    return {
      ok: false,
      reason: `functions running as uid ${user.uid} cannot reach what they need (${failure(result)})`,
    }
  return { ok: true }
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
