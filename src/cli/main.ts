#!/usr/bin/env node
/**
 * @module
 * The `edgefaas` command: `serve` (the default) runs the gateway, `worker` runs only the background
 * work and the async worker against the same store and queue (to scale async work apart from the API).
 * Configuration is by EDGEFAAS_* environment variables (docs/configuration.md).
 */
import { parseArgs } from 'node:util'
import { runNode } from '../runtime/node/run.ts'
import { RELEASE } from '../version.ts'

const USAGE = `usage: edgefaas [serve | worker | version] [--help]

  serve     run the gateway: the OpenFaaS API, invocations, background loops and the async worker
  worker    run the background loops and the async worker only, without an HTTP listener
  version   print the version

Configuration: EDGEFAAS_* environment variables, see docs/configuration.md.`

function main(): Promise<void> | undefined {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse()
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    process.exit(2)
  }
  const [command = 'serve', ...rest] = parsed.positionals
  if (parsed.values.help) {
    console.log(USAGE)
    return
  }
  if (rest.length > 0) {
    console.error(`unexpected argument: ${rest[0]}\n\n${USAGE}`)
    process.exit(2)
  }
  switch (command) {
    case 'serve':
    case 'worker':
      return runNode(command)
    case 'version':
      console.log(RELEASE)
      return
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`)
      process.exit(2)
  }
}

function parse() {
  return parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } })
}

main()?.catch((error: unknown) => {
  console.error('edgefaas failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
