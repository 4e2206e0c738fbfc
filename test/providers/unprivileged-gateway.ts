/**
 * @module
 * A stand-in gateway for local-sandbox.test.ts, started as a user other than root: creates a local
 * provider with `sandbox: 'auto'` on the data dir in argv[2], runs the shell script in argv[3] in a
 * classic-mode `sh` function, and prints one JSON line: `{ sandbox, output }`, or `{ error }` when the
 * provider refuses to start.
 */
import { createLocalProvider } from '../../providers/local/index.ts'
import { deployReady, quietLogger, runShell, shellFunction } from './local-helpers.ts'

const [dataDir = '', script = 'true'] = process.argv.slice(2)
let result: Record<string, string>
try {
  const provider = createLocalProvider({ dataDir, sandbox: 'auto', logger: quietLogger })
  try {
    const shell = await deployReady(provider, shellFunction())
    result = { sandbox: provider.sandbox, output: (await runShell(provider, shell, script)).text }
  } finally {
    await provider.close()
  }
} catch (error) {
  result = { error: (error as Error).message }
}
process.stdout.write(`${JSON.stringify(result)}\n`)
