/**
 * A front door for the benchmark: `npm start`'s gateway with one more backend, `edge`, which is another
 * edgefaas at $BENCH_BACKEND_URL (admin / $BENCH_BACKEND_PASSWORD), reached with the openfaas provider.
 * Configured from the same `EDGEFAAS_*` variables as `npm start`.
 */
import { createOpenFaasProvider } from '../providers/openfaas/index.ts'
import { loadConfig } from '../src/config.ts'
import { consoleLogger } from '../src/logger.ts'
import { startGateway } from '../src/runtime/node/gateway.ts'
import { createNodeHttpClient } from '../src/runtime/node/http-client.ts'

const config = loadConfig(process.env)
const edge = createOpenFaasProvider({
  url: process.env.BENCH_BACKEND_URL ?? '',
  credentials: { username: 'admin', password: process.env.BENCH_BACKEND_PASSWORD ?? '' },
  http: createNodeHttpClient(),
})
const gateway = await startGateway(config, consoleLogger(config.logLevel), { providers: { edge } })
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)))
