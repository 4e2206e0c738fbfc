/**
 * @module
 * Process-group handling. Each replica is spawned as the leader of its own group (`detached: true`), so
 * one signal reaches it and everything it forked (a shell's children, bwrap's sandboxed process). The
 * classic watchdog puts each call in a group of its own and ends those itself, on SIGTERM too. Groups
 * still alive when the gateway exits without stopping them are killed from an 'exit' hook, with the
 * groups of their descendants (the calls of a watchdog that gets no chance to end them): best effort,
 * since nothing runs on SIGKILL (bwrap's --die-with-parent and the watchdog's stdin watch cover that case).
 */
import type { ChildProcess } from 'node:child_process'
import { descendantGroups } from './descendants.ts'

const liveGroups = new Set<number>()
let hookInstalled = false

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Remembers a group leader so the exit hook can kill it; forgets it when it exits. */
export function trackGroup(child: ChildProcess): void {
  const pid = child.pid
  if (pid === undefined) return
  if (!hookInstalled) {
    hookInstalled = true
    process.on('exit', () => {
      const below = liveGroups.size > 0 ? descendantGroups(liveGroups) : []
      for (const group of [...liveGroups, ...below]) signalGroup(group, 'SIGKILL')
    })
  }
  liveGroups.add(pid)
  child.once('exit', () => liveGroups.delete(pid))
}

/** A promise for the child's end, also settled when it could not be spawned at all. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode })
      return
    }
    child.once('exit', (code, signal) => resolve({ code, signal }))
    // 'error' also reports failed kills; only a failed spawn (no pid) means there will be no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null })
    })
  })
}

/**
 * SIGTERM to the whole group, SIGKILL after `graceMs` if the leader is still there. A final SIGKILL to
 * the group also takes down members that outlived a leader which exited on SIGTERM.
 */
export async function terminateGroup(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid
  // Once the leader is reaped its pid (the group id) may be reused: never signal it again.
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = exitOf(child)
  signalGroup(pid, 'SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs)
    }),
  ])
  clearTimeout(timer)
  signalGroup(pid, 'SIGKILL')
  if (timedOut) await exited
}
