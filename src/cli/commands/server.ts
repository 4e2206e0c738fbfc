/**
 * @module
 * `serve` (the default: the gateway), `worker` (background work and the async worker only) and
 * `version` (this CLI's release; with --gateway, also the gateway's and its provider's).
 */
import type { GatewayInfo } from '../../contract/types.ts'
import { RELEASE } from '../../version.ts'
import { GatewayClient } from '../client.ts'
import type { CommandSpec } from '../command-table.ts'
import { JSON_OPTION, printFields, printJson } from '../output.ts'
import { GATEWAY_OPTIONS, resolveTarget } from '../target.ts'

export const serverCommands: CommandSpec[] = [
  {
    name: 'serve',
    summary: 'run the gateway: the OpenFaaS API, invocations, background loops and the async worker',
    details: 'Configuration: EDGEFAAS_* environment variables, see docs/configuration.md.',
    keepsRunning: true,
    // Loaded on demand: the client commands start without loading the whole gateway.
    run: async () => (await import('../../runtime/node/run.ts')).runNode('serve'),
  },
  {
    name: 'worker',
    summary: 'run the background loops and the async worker only, without an HTTP listener',
    keepsRunning: true,
    run: async () => (await import('../../runtime/node/run.ts')).runNode('worker'),
  },
  {
    name: 'version',
    summary: "print the version (with --gateway, also the gateway's and its provider's)",
    options: { ...GATEWAY_OPTIONS, ...JSON_OPTION },
    async run({ options, io }) {
      if (typeof options.gateway !== 'string') {
        if (options.json === true) printJson(io, { cli: { release: RELEASE } })
        else io.stdout.write(`${RELEASE}\n`)
        return
      }
      const client = new GatewayClient(await resolveTarget(options, io))
      const info = await client.json<GatewayInfo>('GET', '/system/info')
      if (options.json === true) {
        printJson(io, { cli: { release: RELEASE }, gateway: client.gateway, ...info })
        return
      }
      printFields(io, [
        ['CLI', RELEASE],
        ['Gateway', client.gateway],
        ['Gateway version', `${info.version?.release ?? '?'} (${info.version?.sha ?? '?'})`],
        ['Provider', info.provider?.provider],
        ['Orchestration', info.provider?.orchestration],
        [
          'Provider version',
          `${info.provider?.version?.release ?? '?'} (${info.provider?.version?.sha ?? '?'})`,
        ],
      ])
    },
  },
]
