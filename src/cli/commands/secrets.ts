/**
 * @module
 * `secret list|create|update|remove` (`/system/secrets`, as faas-cli calls it). A value comes from
 * --from-literal, --from-file or stdin; it never appears in output. `create --replace` updates a secret
 * that already exists.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CliIo, CommandSpec, OptionValues } from '../command-table.ts'
import { CliError, usageError } from '../errors.ts'
import { JSON_OPTION, printJson, printTable } from '../output.ts'
import { readStdinBytes } from '../stdin.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, NAMESPACE_OPTION, str } from './common.ts'

const VALUE_OPTIONS = {
  'from-literal': {
    type: 'string',
    placeholder: 'value',
    description: 'the value (visible in shell history: prefer stdin)',
  },
  'from-file': { type: 'string', placeholder: 'path', description: 'the value is the content of this file' },
  'no-trim': {
    type: 'boolean',
    description: 'keep leading and trailing whitespace (trimmed by default, as faas-cli does)',
  },
} as const

async function secretBody(name: string, options: OptionValues, io: CliIo) {
  const literal = str(options['from-literal'])
  const file = str(options['from-file'])
  if (literal !== undefined && file !== undefined)
    throw usageError('give --from-literal or --from-file, not both')
  let bytes: Buffer
  if (literal !== undefined) bytes = Buffer.from(literal)
  else if (file !== undefined) {
    try {
      bytes = await readFile(resolve(io.cwd, file))
    } catch (error) {
      throw new CliError(`--from-file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
    }
  } else {
    if (io.stdin.isTTY) throw usageError('give the value with --from-file, --from-literal or on stdin')
    bytes = await readStdinBytes(io)
  }
  let text = bytes.toString('utf8')
  const binary = !Buffer.from(text, 'utf8').equals(bytes)
  if (options['no-trim'] !== true && !binary) text = text.trim()
  if (!binary && text === '') throw usageError(`the value of secret "${name}" is empty`)
  const namespace = str(options.namespace)
  return {
    name,
    ...(namespace ? { namespace } : {}),
    ...(binary ? { rawValue: bytes.toString('base64') } : { value: text }),
  }
}

export const secretCommands: CommandSpec[] = [
  {
    name: 'secret',
    summary: 'manage secrets functions read at /var/openfaas/secrets/<name>',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list secret names (never values)',
        options: { ...NAMESPACE_OPTION, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const secrets = await client.json<Array<{ name: string; namespace?: string }>>(
            'GET',
            '/system/secrets',
            {
              query: { namespace: str(options.namespace) },
            },
          )
          if (options.json === true) return printJson(io, secrets)
          printTable(
            io,
            secrets,
            [
              ['NAME', (s) => s.name],
              ['NAMESPACE', (s) => s.namespace],
            ],
            'No secrets.',
          )
        },
      },
      {
        name: 'create',
        summary: 'create a secret (value from stdin, --from-file or --from-literal)',
        args: [{ name: 'name', required: true }],
        options: {
          ...VALUE_OPTIONS,
          replace: { type: 'boolean', description: 'update the secret when it already exists' },
          ...NAMESPACE_OPTION,
          ...GATEWAY_OPTIONS,
        },
        async run({ args, options, io }) {
          const body = await secretBody(args.name ?? '', options, io)
          const client = await clientFor(options, io)
          const created = await client.request('POST', '/system/secrets', { json: body, allow: [409] })
          await created.body?.cancel()
          if (created.status === 409) {
            if (options.replace !== true) {
              throw new CliError(
                `secret "${body.name}" already exists; update it with \`edgefaas secret update\` or pass --replace`,
              )
            }
            const updated = await client.request('PUT', '/system/secrets', { json: body })
            await updated.body?.cancel()
            io.stdout.write(`Updated secret ${body.name}.\n`)
            return
          }
          io.stdout.write(`Created secret ${body.name}.\n`)
        },
      },
      {
        name: 'update',
        aliases: ['u'],
        summary: "replace a secret's value",
        args: [{ name: 'name', required: true }],
        options: { ...VALUE_OPTIONS, ...NAMESPACE_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const body = await secretBody(args.name ?? '', options, io)
          const client = await clientFor(options, io)
          const response = await client.request('PUT', '/system/secrets', { json: body })
          await response.body?.cancel()
          io.stdout.write(`Updated secret ${body.name}.\n`)
        },
      },
      {
        name: 'remove',
        aliases: ['rm', 'delete'],
        summary: 'remove a secret',
        args: [{ name: 'name', required: true }],
        options: { ...NAMESPACE_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const namespace = str(options.namespace)
          const response = await client.request('DELETE', '/system/secrets', {
            json: { name: args.name, ...(namespace ? { namespace } : {}) },
            query: { namespace },
          })
          await response.body?.cancel()
          io.stdout.write(`Removed secret ${args.name}.\n`)
        },
      },
    ],
  },
]
