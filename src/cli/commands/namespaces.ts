/**
 * @module
 * `namespace list|get|create|update|remove` (`/system/namespaces`, `/system/namespace/{ns}`, as
 * faas-cli and go-sdk call them: create is `POST /system/namespace/` with the name in the body and the
 * `openfaas: "1"` label faasd requires).
 */
import type { FunctionNamespace } from '../../contract/types.ts'
import type { CommandSpec, OptionValues } from '../command-table.ts'
import { formatMap, JSON_OPTION, parsePairs, printFields, printJson, printTable } from '../output.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, list, segment } from './common.ts'

const META_OPTIONS = {
  label: {
    type: 'string',
    short: 'l',
    multiple: true,
    placeholder: 'k=v',
    description: 'label (repeatable)',
  },
  annotation: { type: 'string', multiple: true, placeholder: 'k=v', description: 'annotation (repeatable)' },
} as const

function namespaceBody(name: string, options: OptionValues): FunctionNamespace {
  return {
    name,
    labels: { openfaas: '1', ...parsePairs(list(options.label), 'label') },
    annotations: { openfaas: '1', ...parsePairs(list(options.annotation), 'annotation') },
  }
}

export const namespaceCommands: CommandSpec[] = [
  {
    name: 'namespace',
    aliases: ['ns'],
    summary: 'manage function namespaces',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list namespaces',
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const names = await client.json<string[]>('GET', '/system/namespaces')
          if (options.json === true) return printJson(io, names)
          printTable(io, names, [['NAMESPACE', (n) => n]], 'No namespaces.')
        },
      },
      {
        name: 'get',
        summary: "show a namespace's labels and annotations",
        args: [{ name: 'name', required: true }],
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const ns = await client.json<FunctionNamespace>(
            'GET',
            `/system/namespace/${segment(args.name ?? '', 'namespace')}`,
          )
          if (options.json === true) return printJson(io, ns)
          printFields(io, [
            ['Name', ns.name],
            ['Labels', formatMap(ns.labels)],
            ['Annotations', formatMap(ns.annotations)],
          ])
        },
      },
      {
        name: 'create',
        summary: 'create a namespace',
        args: [{ name: 'name', required: true }],
        options: { ...META_OPTIONS, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const name = segment(args.name ?? '', 'namespace')
          const response = await client.request('POST', '/system/namespace/', {
            json: namespaceBody(name, options),
          })
          await response.body?.cancel()
          io.stdout.write(`Created namespace ${name}.\n`)
        },
      },
      {
        name: 'update',
        summary: "replace a namespace's labels and annotations",
        args: [{ name: 'name', required: true }],
        options: { ...META_OPTIONS, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const name = segment(args.name ?? '', 'namespace')
          const response = await client.request('PUT', `/system/namespace/${name}`, {
            json: namespaceBody(name, options),
          })
          await response.body?.cancel()
          io.stdout.write(`Updated namespace ${name}.\n`)
        },
      },
      {
        name: 'remove',
        aliases: ['rm', 'delete'],
        summary: 'remove an empty namespace',
        args: [{ name: 'name', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const name = segment(args.name ?? '', 'namespace')
          const response = await client.request('DELETE', `/system/namespace/${name}`, {
            json: { name, labels: { openfaas: '1' } },
          })
          await response.body?.cancel()
          io.stdout.write(`Removed namespace ${name}.\n`)
        },
      },
    ],
  },
]
