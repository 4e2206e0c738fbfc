/**
 * @module
 * Reads the process table (Linux /proc) to find processes by a marker in their command line: how the
 * lifecycle tests see what a function left behind, whichever process group or session it ended up in.
 */

import { randomInt } from 'node:crypto'
import fs from 'node:fs'

/** PIDs of live processes whose command line (arguments joined by spaces) contains `marker`. */
export function processesMatching(marker: string): number[] {
  const pids: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let cmdline: string
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8')
    } catch {
      continue // gone since the listing
    }
    // A zombie has an empty cmdline: it is dead, only not reaped yet.
    if (cmdline.replaceAll('\0', ' ').includes(marker)) pids.push(Number(entry))
  }
  return pids
}

/**
 * A `sleep` duration no other process on the machine uses, e.g. `1000.734215`: long enough to outlive
 * any test by default, and a marker to find the sleeps again with `processesMatching`. `seconds` sets
 * the whole part (`0.` gives under a second).
 */
export function markedSleep(seconds = '1000.'): string {
  return `${seconds}${randomInt(100_000, 1_000_000)}`
}
