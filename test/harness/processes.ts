/**
 * @module
 * What tests ask about processes and ports: is a pid alive, who are its children and descendants (from
 * /proc), does a loopback port accept connections.
 */
import { readdir, readFile } from 'node:fs/promises'
import { connect } from 'node:net'

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Direct children of the gateway process: with no sandbox, each replica is one. */
export async function childPids(parent: number): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // Field 4 is the parent PID; the command name (field 2) may hold spaces, so split after its ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid === parent) pids.push(Number(entry))
  }
  return pids
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export async function accepting(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Every live process below `root` (children, grandchildren, …), from /proc. */
export async function descendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    if (stat) parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
  }
  const found: number[] = []
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        found.push(child)
        walk(child)
      }
    }
  }
  walk(root)
  return found
}
