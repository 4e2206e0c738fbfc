/**
 * Starts a real edgefaas gateway on Node for tests: temp data folder, embedded SQLite (or the given
 * database URL), a free loopback port, the local provider without a sandbox unless asked.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/logger.ts'
import { type RunningGateway, type StartOptions, startGateway } from '../../src/runtime/node/gateway.ts'

export interface TestGateway extends RunningGateway {
  dataDir: string
  user: string
  password: string
}

/** `options.providers`: backends beside `local` (a front door over other gateways). */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-test-'))
  const config = loadConfig({
    EDGEFAAS_PORT: '0',
    EDGEFAAS_DATA_DIR: dataDir,
    EDGEFAAS_ADMIN_PASSWORD: 'test-password-1',
    EDGEFAAS_LOCAL_SANDBOX: 'none',
    EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
    ...env,
  })
  const gateway = await startGateway(config, silentLogger, options)
  return {
    ...gateway,
    dataDir,
    user: gateway.credentials?.credentials.user ?? 'admin',
    password: gateway.credentials?.credentials.password ?? '',
    async close() {
      await gateway.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
