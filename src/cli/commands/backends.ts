/**
 * @module
 * `backend list|get|create|update|remove` (`/system/backends`, docs/backends.md): the places functions
 * run. Credentials go in from stdin (`--password-stdin`, `--token-stdin`), never on the command line,
 * and the gateway never shows them again.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import type { CliIo, CommandSpec, OptionValues } from '../command-table.ts'
import { CliError, usageError } from '../errors.ts'
import { formatMap, JSON_OPTION, parsePairs, printFields, printJson, printTable } from '../output.ts'
import { readStdinText } from '../stdin.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, list, segment, str } from './common.ts'

interface BackendView {
  name: string
  kind: string
  url?: string
  labels: Record<string, string>
  default: boolean
  builtin: boolean
  credentials?: { type: string }
  options?: Record<string, unknown>
  functions: number
  health: {
    reachable: boolean | null
    lastError: string | null
    lastSeen: string | null
    checkedAt: string | null
  }
}

const WRITE_OPTIONS = {
  file: {
    type: 'string',
    short: 'f',
    placeholder: 'file',
    description: 'the whole backend as JSON or YAML (docs/backends.md); flags override it',
  },
  kind: { type: 'string', placeholder: 'kind', description: 'backend kind (default openfaas)' },
  url: { type: 'string', placeholder: 'url', description: "the backend gateway's base URL" },
  label: {
    type: 'string',
    short: 'l',
    multiple: true,
    placeholder: 'k=v',
    description: 'label placement selectors match (repeatable)',
  },
  default: { type: 'boolean', description: 'functions that name no backend go here' },
  username: {
    type: 'string',
    short: 'u',
    placeholder: 'user',
    description: 'basic auth user (password from --password-stdin)',
  },
  'password-stdin': { type: 'boolean', description: "read the backend's password from stdin" },
  'token-stdin': { type: 'boolean', description: "read the backend's bearer token from stdin" },
  'no-credentials': { type: 'boolean', description: 'update: remove the stored credentials' },
} as const

async function backendBody(name: string, options: OptionValues, io: CliIo, creating: boolean) {
  let body: Record<string, unknown> = {}
  const file = str(options.file)
  if (file) {
    let parsed: unknown
    try {
      parsed = parse(await readFile(resolve(io.cwd, file), 'utf8'))
    } catch (error) {
      throw new CliError(`-f ${file}: ${(error as Error).message}`)
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new CliError(`-f ${file}: must be one backend object`)
    body = parsed as Record<string, unknown>
  }
  body.name = name
  if (creating || options.kind !== undefined) body.kind = str(options.kind) ?? body.kind ?? 'openfaas'
  if (options.url !== undefined) body.url = options.url
  if (options.label !== undefined) body.labels = parsePairs(list(options.label), 'label')
  if (options.default === true) body.default = true
  const password = options['password-stdin'] === true
  const token = options['token-stdin'] === true
  if (password && token) throw usageError('give --password-stdin or --token-stdin, not both')
  if (password) {
    const user = str(options.username)
    if (!user) throw usageError('--password-stdin needs --username')
    body.credentials = { username: user, password: (await readStdinText(io)).trim() }
  } else if (token) {
    body.credentials = { token: (await readStdinText(io)).trim() }
  } else if (options.username !== undefined) {
    throw usageError('--username needs --password-stdin (the password is read from stdin)')
  }
  if (options['no-credentials'] === true) body.credentials = null
  if (creating && !body.url) throw usageError('give the backend URL with --url (or in -f)')
  return body
}

function show(io: CliIo, b: BackendView): void {
  printFields(io, [
    ['Name', b.name],
    ['Kind', b.kind],
    ['URL', b.url],
    ['Default', String(b.default)],
    ['Built in', b.builtin ? 'true' : undefined],
    ['Labels', formatMap(b.labels)],
    ['Credentials', b.credentials?.type ?? 'none'],
    ['Functions', b.functions],
    ['Reachable', reachable(b)],
    ['Last error', b.health.lastError],
    ['Last seen', b.health.lastSeen],
  ])
}

function reachable(b: BackendView): string {
  return b.health.reachable === null ? 'not checked yet' : b.health.reachable ? 'yes' : 'no'
}

export const backendCommands: CommandSpec[] = [
  {
    name: 'backend',
    summary: 'manage the backends functions are placed on (edgefaas.dev/backends)',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list backends with their health and function counts',
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const backends = await client.json<BackendView[]>('GET', '/system/backends')
          if (options.json === true) return printJson(io, backends)
          printTable(
            io,
            backends,
            [
              ['NAME', (b) => `${b.name}${b.default ? ' (default)' : ''}`],
              ['KIND', (b) => b.kind],
              ['REACHABLE', reachable],
              ['FUNCTIONS', (b) => b.functions],
              ['LABELS', (b) => formatMap(b.labels)],
              ['URL', (b) => b.url ?? ''],
            ],
            'No backends.',
          )
        },
      },
      {
        name: 'get',
        summary: 'show one backend after a fresh health check',
        args: [{ name: 'name', required: true }],
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const b = await client.json<BackendView>(
            'GET',
            `/system/backends/${segment(args.name ?? '', 'backend name')}`,
          )
          if (options.json === true) return printJson(io, b)
          show(io, b)
        },
      },
      {
        name: 'create',
        aliases: ['add'],
        summary: 'register a backend',
        details:
          'Example:\n  echo -n "$EU_PASSWORD" | edgefaas backend create eu --url https://gw.eu.example \\\n    --username admin --password-stdin --label region=eu --default',
        args: [{ name: 'name', required: true }],
        options: { ...WRITE_OPTIONS, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const name = segment(args.name ?? '', 'backend name')
          const body = await backendBody(name, options, io, true)
          const client = await clientFor(options, io)
          const b = await client.json<BackendView>('POST', '/system/backends', { json: body })
          if (options.json === true) return printJson(io, b)
          io.stdout.write(`Created backend ${b.name}.\n`)
        },
      },
      {
        name: 'update',
        summary: 'replace a backend (credentials left out are kept, unless the URL moves to another origin)',
        args: [{ name: 'name', required: true }],
        options: { ...WRITE_OPTIONS, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const name = segment(args.name ?? '', 'backend name')
          const client = await clientFor(options, io)
          // PUT replaces: start from the current backend so a flag changes only what it names.
          const current = await client.json<BackendView>('GET', `/system/backends/${name}`)
          const merged = await backendBody(name, options, io, false)
          const body = {
            kind: current.kind,
            url: current.url,
            labels: current.labels,
            default: current.default,
            ...(current.options ? { options: current.options } : {}),
            ...merged,
          }
          const b = await client.json<BackendView>('PUT', `/system/backends/${name}`, { json: body })
          if (options.json === true) return printJson(io, b)
          io.stdout.write(`Updated backend ${b.name}.\n`)
        },
      },
      {
        name: 'remove',
        aliases: ['rm', 'delete'],
        summary: 'remove a backend that hosts no function',
        args: [{ name: 'name', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const name = segment(args.name ?? '', 'backend name')
          const response = await client.request('DELETE', `/system/backends/${name}`)
          await response.body?.cancel()
          io.stdout.write(`Removed backend ${name}.\n`)
        },
      },
    ],
  },
]
