/**
 * @module
 * A stand-in gateway process for local-orphans.test.ts: deploys a classic function running
 * `sleep <argv[2]>` without a sandbox (data dir in argv[3]), starts a call to it, and once the call's
 * process runs, exits without closing the provider, as a gateway that crashes does. With argv[4] = `wait`
 * it says `calling` on stdout instead and idles until the test kills it with SIGKILL.
 */
import { createLocalProvider } from '../../providers/local/index.ts'
import { functionRequest } from '../conformance/provider.suite.ts'
import { quietLogger } from './local-helpers.ts'
import { processesMatching } from './process-table.ts'

const [sleep = '', dataDir = '', mode = 'exit'] = process.argv.slice(2)
const provider = createLocalProvider({ dataDir, sandbox: 'none', logger: quietLogger })
const namespace = 'openfaas-fn'
const spec = { image: 'x', envProcess: `sleep ${sleep}` }
await provider.apply({ name: 'call', namespace, spec, replicas: 1, generation: 1, secrets: {} })
while ((await provider.status(namespace, 'call'))?.availableReplicas !== 1)
  await new Promise((r) => setTimeout(r, 20))
void provider.invoke(namespace, 'call', '/', functionRequest('call', '/')).catch(() => {})
while (processesMatching(`sleep ${sleep}`).length === 0) await new Promise((r) => setTimeout(r, 20))
if (mode === 'wait') {
  process.stdout.write('calling\n')
  setInterval(() => {}, 60_000)
} else {
  process.exit(0)
}
