/**
 * @module
 * Function commands: `list`, `describe`, `remove`, `scale` (contract §6.2 for the calls they make).
 * `describe` also shows where the function runs, backend by backend (`/system/deployments`).
 */
import type { FunctionStatus } from '../../contract/types.ts'
import { type CommandSpec, EXIT } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { listFunctions, removeFunction } from '../functions-api.ts'
import { formatMap, JSON_OPTION, printFields, printJson, printTable } from '../output.ts'
import { qualified } from '../plan/render.ts'
import { loadStack } from '../stack/load.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, NAMESPACE_OPTION, segment, str, wholeNumber } from './common.ts'

const PLACEMENT = 'edgefaas.dev/backends'

interface DeploymentRow {
  function: string
  backend: string
  status: string
  placed: boolean
  replicas: number | null
  availableReplicas: number | null
  lastError: string | null
}

export const functionCommands: CommandSpec[] = [
  {
    name: 'list',
    aliases: ['ls'],
    summary: 'list functions with their replicas, invocations and placement',
    options: {
      ...NAMESPACE_OPTION,
      quiet: { type: 'boolean', short: 'q', description: 'names only' },
      ...JSON_OPTION,
      ...GATEWAY_OPTIONS,
    },
    async run({ options, io }) {
      const client = await clientFor(options, io)
      const functions = await listFunctions(client, str(options.namespace))
      if (options.json === true) return printJson(io, functions)
      if (options.quiet === true) {
        for (const f of functions) io.stdout.write(`${f.name}\n`)
        return
      }
      printTable(
        io,
        functions,
        [
          ['NAME', (f) => f.name],
          ['NAMESPACE', (f) => f.namespace],
          ['INVOCATIONS', (f) => f.invocationCount ?? 0],
          ['REPLICAS', (f) => `${f.availableReplicas ?? 0}/${f.replicas ?? 0}`],
          ['PLACEMENT', (f) => f.annotations?.[PLACEMENT] ?? 'default'],
          ['IMAGE', (f) => f.image],
        ],
        'No functions.',
      )
    },
  },
  {
    name: 'describe',
    summary: 'show one function: settings, URLs, replicas and where it runs',
    args: [{ name: 'name', required: true }],
    options: { ...NAMESPACE_OPTION, ...JSON_OPTION, ...GATEWAY_OPTIONS },
    async run({ args, options, io }) {
      const client = await clientFor(options, io)
      const name = segment(args.name ?? '', 'function name')
      const namespace = str(options.namespace)
      const status = await client.json<FunctionStatus>('GET', `/system/function/${name}`, {
        query: { namespace, usage: '1' },
      })
      const listed = (await listFunctions(client, status.namespace || namespace)).find((f) => f.name === name)
      const response = await client.request('GET', '/system/deployments', {
        query: { name, namespace: status.namespace || namespace },
        allow: [404, 405],
      })
      const rows = response.ok
        ? ((await response.json()) as DeploymentRow[]).filter((r) => r.function === name)
        : null
      if (!response.ok) await response.body?.cancel()
      if (options.json === true) {
        return printJson(io, {
          ...status,
          invocationCount: listed?.invocationCount ?? 0,
          ...(rows ? { deployments: rows } : {}),
        })
      }
      const id = qualified({ name, namespace: status.namespace })
      printFields(io, [
        ['Name', status.name],
        ['Namespace', status.namespace],
        ['Status', (status.availableReplicas ?? 0) > 0 ? 'Ready' : 'Not Ready'],
        ['Replicas', status.replicas ?? 0],
        ['Available Replicas', status.availableReplicas ?? 0],
        ['Invocations', listed?.invocationCount ?? 0],
        ['Image', status.image],
        ['Function Process', status.envProcess],
        ['URL', `${client.gateway}/function/${id}`],
        ['Async URL', `${client.gateway}/async-function/${id}`],
        ['Placement', status.annotations?.[PLACEMENT] ?? 'default backend'],
        ['Labels', formatMap(status.labels)],
        ['Annotations', formatMap(status.annotations)],
        ['Environment', formatMap(status.envVars)],
        ['Secrets', status.secrets?.join(', ')],
        ['Constraints', status.constraints?.join(', ')],
        ['Limits', formatMap(status.limits as Record<string, string> | undefined)],
        ['Requests', formatMap(status.requests as Record<string, string> | undefined)],
        ['Read-only root', status.readOnlyRootFilesystem ? 'true' : undefined],
        ['Created', status.createdAt],
      ])
      if (rows && rows.length > 0) {
        io.stdout.write('\n')
        printTable(
          io,
          rows,
          [
            ['BACKEND', (r) => r.backend],
            ['STATUS', (r) => (r.placed ? r.status : `${r.status} (leaving)`)],
            ['REPLICAS', (r) => `${r.availableReplicas ?? 0}/${r.replicas ?? 0}`],
            ['LAST ERROR', (r) => r.lastError ?? ''],
          ],
          '',
        )
      }
    },
  },
  {
    name: 'remove',
    aliases: ['rm', 'delete'],
    summary: 'remove functions by name, or every function of a stack file (-f)',
    args: [{ name: 'name', variadic: true }],
    options: {
      file: {
        type: 'string',
        short: 'f',
        placeholder: 'stack.yml',
        description: 'remove the functions this stack file names',
      },
      ...NAMESPACE_OPTION,
      ...GATEWAY_OPTIONS,
    },
    async run({ rest, options, io }) {
      let targets: Array<{ name: string; namespace?: string }> = rest.map((n) => ({ name: n }))
      let stackGateway: string | undefined
      if (targets.length === 0) {
        if (options.file === undefined) throw usageError('name the functions to remove, or give -f stack.yml')
        const stack = await loadStack({ file: str(options.file), env: io.env, cwd: io.cwd })
        stackGateway = stack.provider.gateway
        targets = stack.functions.map((f) => ({
          name: f.name,
          ...(f.namespace ? { namespace: f.namespace } : {}),
        }))
      }
      const client = await clientFor(options, io, stackGateway)
      let failed = 0
      for (const t of targets) {
        const namespace = str(options.namespace) ?? t.namespace
        try {
          await removeFunction(client, segment(t.name, 'function name'), namespace)
          io.stdout.write(`Removed ${qualified({ name: t.name, namespace })}.\n`)
        } catch (error) {
          failed++
          io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
        }
      }
      return failed > 0 ? EXIT.failed : EXIT.ok
    },
  },
  {
    name: 'scale',
    summary: 'set the replica count of a function (on each backend it is placed on)',
    args: [{ name: 'name', required: true }],
    options: {
      replicas: {
        type: 'string',
        short: 'r',
        placeholder: 'n',
        description: 'replicas wanted (0 scales to zero)',
      },
      ...NAMESPACE_OPTION,
      ...GATEWAY_OPTIONS,
    },
    async run({ args, options, io }) {
      const replicas = wholeNumber(str(options.replicas), 'replicas')
      const client = await clientFor(options, io)
      const name = segment(args.name ?? '', 'function name')
      const namespace = str(options.namespace)
      const response = await client.request('POST', `/system/scale-function/${name}`, {
        json: { serviceName: name, replicas, ...(namespace ? { namespace } : {}) },
        query: { namespace },
      })
      await response.body?.cancel()
      io.stdout.write(`Scaling ${qualified({ name, namespace })} to ${replicas} replica(s).\n`)
    },
  },
]
