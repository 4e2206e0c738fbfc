/**
 * @module
 * Runs edgefaas on Node in the foreground: validates the configuration, starts the gateway (`serve`) or
 * only its background work and async worker (`worker`), and prints how to reach it. SIGINT and SIGTERM
 * stop it cleanly, taking every function process with it.
 */
import { ConfigError, loadConfig } from '../../config.ts'
import { drainThenClose } from '../../health/drain.ts'
import { startupLines } from './announce.ts'
import { launcherProcesses } from './cluster/assemble.ts'
import { startGateway } from './gateway.ts'

export async function runNode(mode: 'serve' | 'worker'): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nSee docs/configuration.md.`)
      process.exit(2)
    }
    throw error
  }
  if (mode === 'worker' && !config.worker) {
    console.error(
      'edgefaas worker needs the worker role: EDGEFAAS_WORKER=true (the default) and, when EDGEFAAS_ROLES is set, `worker` in it',
    )
    process.exit(2)
  }
  const gateway = await startGateway(config, undefined, {
    listen: mode === 'serve',
    ...(mode === 'serve' ? { processes: launcherProcesses(config) } : {}),
  })
  const stop = drainThenClose(gateway.deps.readiness, config.cluster.drainDelayMs, gateway.close)
  if (mode === 'worker' || !config.cluster.roles.has('api')) {
    console.log(
      `edgefaas ${gateway.deps.version.release} worker running (queue: ${config.queueUrl || 'embedded'})`,
    )
    stopOnSignals(stop)
    return
  }
  const lines = startupLines(
    {
      release: gateway.deps.version.release,
      url: gateway.url,
      functionsUrl: gateway.functionsUrl,
      credentials: gateway.credentials,
    },
    config,
  )
  console.log(lines.join('\n'))

  stopOnSignals(stop)
}

function stopOnSignals(close: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    console.log(`${signal} received, stopping`)
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error)
        process.exit(1)
      },
    )
  }
  // A stray rejection in background work must not take the gateway (and every function) down.
  process.on('unhandledRejection', (reason) => {
    console.error('unhandled rejection (gateway keeps running):', reason)
  })
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
}
