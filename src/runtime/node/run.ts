/**
 * @module
 * Runs edgefaas on Node in the foreground: validates the configuration, starts the gateway (`serve`) or
 * only its background work and async worker (`worker`), and prints how to reach it. SIGINT and SIGTERM
 * stop it cleanly, taking every function process with it.
 */
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../config.ts'
import { CREDENTIALS_FILE } from './credentials.ts'
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
    console.error('edgefaas worker needs EDGEFAAS_WORKER=true (the default)')
    process.exit(2)
  }
  const gateway = await startGateway(config, undefined, { listen: mode === 'serve' })
  if (mode === 'worker') {
    console.log(
      `edgefaas ${gateway.deps.version.release} worker running (queue: ${config.queueUrl || 'embedded'})`,
    )
    stopOnSignals(gateway.close)
    return
  }
  const lines = [`edgefaas ${gateway.deps.version.release} listening on ${gateway.url}`]
  if (gateway.functionsUrl) lines.push(`functions served on ${gateway.functionsUrl}/function/<name>`)
  else if (config.functionsHost) lines.push(`functions served for host ${config.functionsHost} only`)
  const creds = gateway.credentials
  const credentialsPath = join(config.dataDir, CREDENTIALS_FILE)
  if (!creds) {
    lines.push(
      'WARNING: authentication is off (EDGEFAAS_BASIC_AUTH=false); anyone who can reach the port is admin',
    )
  } else if (creds.source === 'generated') {
    // Shown this once; later starts point at the file instead of printing the password again.
    lines.push(`admin user:     ${creds.credentials.user}`)
    lines.push(`admin password: ${creds.credentials.password}`)
    lines.push(`(saved in ${credentialsPath}; set EDGEFAAS_ADMIN_PASSWORD to choose your own)`)
  } else if (creds.source === 'data-dir') {
    lines.push(`admin user: ${creds.credentials.user} (password in ${credentialsPath})`)
  } else {
    lines.push(`admin user: ${creds.credentials.user} (password from ${creds.source})`)
  }
  if (creds) {
    lines.push(
      `log in: echo -n '<password>' | faas-cli login -g ${gateway.url} -u ${creds.credentials.user} --password-stdin`,
    )
  }
  console.log(lines.join('\n'))

  stopOnSignals(gateway.close)
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
