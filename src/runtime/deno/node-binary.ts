/**
 * @module
 * The local provider's classic watchdog is a Node.js program (providers/local/watchdog.ts, run with
 * `node --disable-warning=… watchdog.ts`, and the sandbox probe runs `node -e`). On Deno,
 * `process.execPath` is the deno binary, which takes neither, so the watchdog runs on the Node.js the
 * project pins as a dependency (the npm `node` package, Node 24: it strips TypeScript).
 */

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export function pinnedNodeBinary(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve('node/package.json')
    return join(dirname(manifest), 'bin', 'node')
  } catch (cause) {
    throw new Error(
      'the local provider runs functions through a Node.js watchdog, and the npm package `node` is not ' +
        'installed: run `npm install` in the edgefaas folder',
      { cause },
    )
  }
}
