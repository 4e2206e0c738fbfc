/**
 * @module
 * `npm run start:deno`: the gateway on Deno, in the foreground. Configuration comes from the same
 * environment variables as on Node (EDGEFAAS_ROLES included); SIGINT and SIGTERM drain it (`/readyz`
 * 503 for EDGEFAAS_DRAIN_DELAY_MS) and stop it cleanly, taking every function process with it.
 */
import process from 'node:process'
import { type Config, ConfigError, loadConfig } from '../../config.ts'
import { drainThenClose } from '../../health/drain.ts'
import { consoleLogger } from '../../logger.ts'
import { startupLines } from '../node/announce.ts'
import { startDenoGateway } from './gateway.ts'

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig(Deno.env.toObject())
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`${error.message}\nSee docs/configuration.md.`)
    Deno.exit(2)
  }
  // A stray rejection in background work must not take the gateway (and every function) down. Set before
  // the start, which already starts the worker. node:process's hook: Deno honours it, Node's types declare it.
  process.on('unhandledRejection', (reason) => {
    console.error('unhandled rejection (gateway keeps running):', reason)
  })
  const gateway = await startDenoGateway(config, consoleLogger(config.logLevel))
  const release = gateway.deps.version.release
  if (gateway.url === null) {
    console.log(
      `edgefaas ${release} worker running (queue: ${config.queueUrl || 'embedded'}) (Deno ${Deno.version.deno})`,
    )
  } else {
    const lines = startupLines(
      { ...gateway, url: gateway.url, release, suffix: ` (Deno ${Deno.version.deno})` },
      config,
    )
    console.log(lines.join('\n'))
  }
  const close = drainThenClose(gateway.deps.readiness, config.cluster.drainDelayMs, gateway.close)

  let stopping = false
  const stop = (signal: Deno.Signal) => {
    // A second signal while stopping means "now": exit without waiting for the rest.
    if (stopping) Deno.exit(1)
    stopping = true
    console.log(`${signal} received, stopping`)
    close().then(
      () => Deno.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error)
        Deno.exit(1)
      },
    )
  }
  Deno.addSignalListener('SIGINT', () => stop('SIGINT'))
  Deno.addSignalListener('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error('edgefaas failed to start:', error instanceof Error ? error.message : error)
  Deno.exit(1)
})
