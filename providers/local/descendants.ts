/**
 * @module
 * The process groups below some processes, read from Linux's /proc. The classic watchdog runs each call
 * in a process group of its own, so one signal to a replica's group does not reach its calls; when the
 * gateway exits without stopping its replicas (a crash), this finds those groups so they go too.
 * Synchronous, for an 'exit' hook; an empty answer where /proc is missing or unreadable.
 */
import fs from 'node:fs'

interface ProcessEntry {
  pid: number
  ppid: number
  pgid: number
}

function readEntry(pid: string): ProcessEntry | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { pid: Number(pid), ppid: Number(fields[1]), pgid: Number(fields[2]) }
  } catch {
    return undefined // exited since the listing
  }
}

/** Process group ids of every descendant of `roots`, other than the roots' own groups. */
export function descendantGroups(roots: Iterable<number>): number[] {
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return []
  }
  const children = new Map<number, ProcessEntry[]>()
  for (const name of entries) {
    const entry = readEntry(name)
    if (!entry) continue
    const siblings = children.get(entry.ppid)
    if (siblings) siblings.push(entry)
    else children.set(entry.ppid, [entry])
  }
  const rootGroups = new Set(roots)
  const groups = new Set<number>()
  const queue = [...rootGroups]
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      if (!rootGroups.has(child.pgid)) groups.add(child.pgid)
      queue.push(child.pid)
    }
  }
  return [...groups]
}
