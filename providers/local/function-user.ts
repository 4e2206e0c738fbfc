/**
 * @module
 * The users functions run as when the gateway is root (see sandbox.ts for when each is used).
 *
 * In the bubblewrap sandbox every function runs as one unprivileged user, `nobody` by default: namespaces
 * keep functions apart, the user only takes away root's power over the host. Without a sandbox the uid is
 * the kernel's only wall between processes (a process can read the memory, environment and files of any
 * other process of its uid), so each function gets a uid of its own. That uid comes from a hash of the
 * function's namespace and name, so every gateway process on the host (`serve` and `worker`) runs one
 * function under one uid, and two functions share one only by a hash collision in the range, which one
 * gateway process detects and steps around.
 *
 * Such uids need no /etc/passwd entry; the default range is the one systemd leaves unused
 * (1879048192…2147352575, see https://systemd.io/UIDS-GIDS/).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { ProviderError } from '../types.ts'

export interface FunctionUser {
  uid: number
  gid: number
}

/** uids `first` … `first + count - 1`; a function's gid is its uid. */
export interface UidRange {
  first: number
  count: number
}

export const NOBODY: FunctionUser = { uid: 65534, gid: 65534 }
export const DEFAULT_UID_RANGE: UidRange = { first: 1_879_048_192, count: 16_777_216 }

/**
 * util-linux `setpriv` options that become `user` for good: no supplementary groups, no capabilities
 * (none kept, none inheritable, an empty bounding set) and no new privileges from set-uid programs or
 * file capabilities. Changing the uid away from root clears the permitted and effective sets by itself;
 * the rest closes the ways back.
 */
export function setprivArgs(user: FunctionUser): string[] {
  return [
    '--reuid',
    String(user.uid),
    '--regid',
    String(user.gid),
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
  ]
}

/** Whether `user` (no supplementary groups) may search the folder with these stats, by its mode bits. */
function canSearch(stats: fs.Stats, user: FunctionUser): boolean {
  const bit = stats.uid === user.uid ? 0o100 : stats.gid === user.gid ? 0o010 : 0o001
  return (stats.mode & bit) !== 0
}

/** The topmost folder from / down to `dir` (included) that `user` cannot search, if any. */
export function firstUnsearchable(dir: string, user: FunctionUser): string | undefined {
  let current = path.parse(dir).root
  for (const part of path.relative(current, dir).split(path.sep).filter(Boolean)) {
    current = path.join(current, part)
    if (!canSearch(fs.statSync(current), user)) return current
  }
  return undefined
}

/** Hands out one uid per function (key `namespace/name`) while it is deployed. */
export class FunctionUsers {
  readonly range: UidRange
  readonly #byKey = new Map<string, FunctionUser>()
  readonly #taken = new Set<number>()

  constructor(range: UidRange) {
    this.range = range
  }

  acquire(key: string): FunctionUser {
    const known = this.#byKey.get(key)
    if (known) return known
    const { first, count } = this.range
    const start = createHash('sha256').update(key).digest().readUInt32BE(0) % count
    for (let step = 0; step < count; step++) {
      const uid = first + ((start + step) % count)
      if (this.#taken.has(uid)) continue
      const user = { uid, gid: uid }
      this.#taken.add(uid)
      this.#byKey.set(key, user)
      return user
    }
    throw new ProviderError(
      'UNAVAILABLE',
      `every uid from ${first} to ${first + count - 1} is in use by another function: widen the range`,
    )
  }

  release(key: string): void {
    const user = this.#byKey.get(key)
    if (!user) return
    this.#byKey.delete(key)
    this.#taken.delete(user.uid)
  }
}
