/**
 * @module
 * Chooses how local functions are isolated (the modes and what `auto` means are in sandbox.ts), checks
 * that replicas will run that way, and says so in one log line starting `local functions:`.
 */
import fs from 'node:fs'
import { type FunctionUser, FunctionUsers } from './function-user.ts'
import type { ResolvedOptions } from './options.ts'
import { probeBwrap, probeUser, reachCheck, type SandboxMode } from './sandbox.ts'

export interface Isolation {
  mode: SandboxMode
  /** `bwrap` started by root: the user every function runs as. */
  user?: FunctionUser
  /** `user`: the uid of each function. */
  users?: FunctionUsers
}

export interface IsolationNeeds {
  /** Files and folders replicas read: the watchdog. */
  reads: readonly string[]
  /** Folders the sandbox hides and binds back (see SandboxPaths). */
  hidden: readonly string[]
  visible: readonly string[]
}

const OPT_OUT =
  'set EDGEFAAS_LOCAL_SANDBOX=none (sandbox: none) to run functions as the gateway user, able to read its data folder and the secrets key'

function gatewayUid(): number | undefined {
  return process.getuid?.()
}

function tryBwrap(options: ResolvedOptions, needs: IsolationNeeds) {
  const user = gatewayUid() === 0 ? options.sandboxUser : undefined
  const check = reachCheck(options.nodePath, needs.reads)
  return { user, probe: probeBwrap({ hidden: needs.hidden, visible: needs.visible, user }, check) }
}

function tryUser(options: ResolvedOptions, needs: IsolationNeeds) {
  if (gatewayUid() === 0) fs.mkdirSync(options.runDir, { recursive: true, mode: 0o711 })
  const check = reachCheck(options.nodePath, [...needs.reads, options.runDir])
  return probeUser({ uid: options.userUids.first, gid: options.userUids.first }, check)
}

function bwrapLine(user: FunctionUser | undefined): string {
  const who = user ? `uid ${user.uid}` : `the gateway's uid ${gatewayUid()} in a user namespace`
  return (
    `local functions: bubblewrap sandbox, no capabilities, ${who}; each sees the host read-only, ` +
    "its own /tmp, secrets and processes, not the data folder or other functions' files"
  )
}

function userLine(options: ResolvedOptions, why: string): string {
  const { first, count } = options.userUids
  return (
    `local functions: no sandbox (${why}), each function as its own unprivileged uid ` +
    `(${first}-${first + count - 1}), no capabilities; they cannot read the data folder or each ` +
    "other's files, but share the host's /tmp, process list and network"
  )
}

/**
 * Picks the isolation `options.sandbox` asks for, or throws saying why it cannot be had and what to do.
 * Probing runs bwrap and/or setpriv once each (tens of milliseconds).
 */
export function chooseIsolation(options: ResolvedOptions, needs: IsolationNeeds): Isolation {
  const { logger, sandbox } = options
  if (sandbox === 'none') {
    const uid = gatewayUid()
    const who = uid === 0 ? 'root, with all its capabilities' : `uid ${uid}`
    logger.warn(
      `local functions: no sandbox (EDGEFAAS_LOCAL_SANDBOX=none): functions run as the gateway user (${who}) ` +
        "and can read its data folder, the secrets key and every function's secrets included",
    )
    return { mode: 'none' }
  }
  let bwrapReason = 'EDGEFAAS_LOCAL_SANDBOX=user'
  if (sandbox !== 'user') {
    const { user, probe } = tryBwrap(options, needs)
    if (probe.ok) {
      logger.info(bwrapLine(user))
      return { mode: 'bwrap', user }
    }
    if (sandbox === 'bwrap') throw new Error(`sandbox 'bwrap' was requested but ${probe.reason}`)
    bwrapReason = probe.reason
  }
  const probe = tryUser(options, needs)
  if (probe.ok) {
    const line = userLine(options, bwrapReason)
    if (sandbox === 'user') logger.info(line)
    else logger.warn(line)
    return { mode: 'user', users: new FunctionUsers(options.userUids) }
  }
  const advice =
    'install bubblewrap (which binds what functions need into their sandbox), keep edgefaas, Node.js ' +
    `and ${options.runDir} where other users can reach them, or ${OPT_OUT}`
  if (sandbox === 'user') throw new Error(`sandbox 'user' was requested but ${probe.reason}: ${advice}`)
  throw new Error(
    `local functions cannot be isolated here: ${bwrapReason}; and ${probe.reason}. To fix: ${advice}`,
  )
}
