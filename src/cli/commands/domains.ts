/**
 * @module
 * `domain list|get|create|update|remove` and `domain certificate set|remove` (`/system/domains`,
 * docs/domains.md): a host name routed to one function, with its certificate's state. Private keys go
 * up from a file and are never shown.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CliIo, CommandSpec, OptionValues } from '../command-table.ts'
import { CliError, usageError } from '../errors.ts'
import { JSON_OPTION, printFields, printJson, printTable } from '../output.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, NAMESPACE_OPTION, str } from './common.ts'

interface DomainView {
  host: string
  function: string
  namespace: string
  path: string
  redirectHttps: boolean
  tls: string
  source: string
  certificate: {
    state: string
    source: string | null
    notAfter: string | null
    renewAfter: string | null
    lastError: string | null
    nextAttemptAt: string | null
  }
}

const TLS = new Set(['acme', 'uploaded', 'none'])

const SETTINGS = {
  function: { type: 'string', placeholder: 'name', description: 'the function the host is routed to' },
  path: {
    type: 'string',
    placeholder: 'prefix',
    description: 'path prefix, removed before the function sees it (default /)',
  },
  'redirect-https': { type: 'boolean', description: 'send plain HTTP to HTTPS (308)' },
  'no-redirect-https': { type: 'boolean', description: 'update: stop redirecting plain HTTP' },
  tls: { type: 'string', placeholder: 'acme|uploaded|none', description: 'where the certificate comes from' },
  'cert-file': {
    type: 'string',
    placeholder: 'pem',
    description: 'certificate chain to upload (with --key-file)',
  },
  'key-file': { type: 'string', placeholder: 'pem', description: 'its private key' },
} as const

/** A host as a path segment: a DNS name or `*.` wildcard, nothing that could change the request. */
function host(value: string | undefined): string {
  const h = (value ?? '').trim().toLowerCase()
  if (!/^[a-z0-9*][a-z0-9.*-]*$/.test(h))
    throw usageError(`"${value}" is not a host name such as api.example.com`)
  return h
}

async function pemPair(options: OptionValues, io: CliIo, required: boolean) {
  const cert = str(options['cert-file'])
  const key = str(options['key-file'])
  if (!cert && !key) {
    if (required) throw usageError('give --cert-file and --key-file')
    return {}
  }
  if (!cert || !key) throw usageError('give --cert-file and --key-file together')
  const read = async (file: string) => {
    try {
      return await readFile(resolve(io.cwd, file), 'utf8')
    } catch (error) {
      throw new CliError(`${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
    }
  }
  return { certificate: await read(cert), privateKey: await read(key) }
}

async function settings(options: OptionValues, io: CliIo) {
  const tls = str(options.tls)
  if (tls !== undefined && !TLS.has(tls)) throw usageError('--tls: acme, uploaded or none')
  if (options['redirect-https'] === true && options['no-redirect-https'] === true) {
    throw usageError('give --redirect-https or --no-redirect-https, not both')
  }
  const namespace = str(options.namespace)
  return {
    ...(str(options.function) ? { function: str(options.function) } : {}),
    ...(namespace ? { namespace } : {}),
    ...(str(options.path) !== undefined ? { path: str(options.path) } : {}),
    ...(options['redirect-https'] === true ? { redirectHttps: true } : {}),
    ...(options['no-redirect-https'] === true ? { redirectHttps: false } : {}),
    ...(tls ? { tls } : {}),
    ...(await pemPair(options, io, false)),
  }
}

function show(io: CliIo, d: DomainView): void {
  printFields(io, [
    ['Host', d.host],
    ['Function', `${d.function}.${d.namespace}`],
    ['Path', d.path],
    ['Redirect HTTPS', String(d.redirectHttps)],
    ['TLS', d.tls],
    ['Source', d.source],
    ['Certificate', d.certificate.state],
    ['Expires', d.certificate.notAfter],
    ['Renews', d.certificate.renewAfter],
    ['Last error', d.certificate.lastError],
    ['Next attempt', d.certificate.nextAttemptAt],
  ])
}

function done(io: CliIo, options: OptionValues, d: DomainView, verb: string): void {
  if (options.json === true) printJson(io, d)
  else io.stdout.write(`${verb} domain ${d.host} → ${d.function}.${d.namespace}${d.path}\n`)
}

export const domainCommands: CommandSpec[] = [
  {
    name: 'domain',
    summary: 'route host names to functions, with certificates (docs/domains.md)',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list domains with their certificate state',
        options: { ...NAMESPACE_OPTION, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const domains = await client.json<DomainView[]>('GET', '/system/domains', {
            query: { namespace: str(options.namespace) },
          })
          if (options.json === true) return printJson(io, domains)
          printTable(
            io,
            domains,
            [
              ['HOST', (d) => d.host],
              ['FUNCTION', (d) => `${d.function}.${d.namespace}`],
              ['PATH', (d) => d.path],
              ['TLS', (d) => d.tls],
              ['CERTIFICATE', (d) => d.certificate.state],
              ['EXPIRES', (d) => d.certificate.notAfter ?? ''],
            ],
            'No domains.',
          )
        },
      },
      {
        name: 'get',
        summary: 'show one domain and where its certificate stands',
        args: [{ name: 'host', required: true }],
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const d = await client.json<DomainView>('GET', `/system/domains/${host(args.host)}`)
          if (options.json === true) return printJson(io, d)
          show(io, d)
        },
      },
      {
        name: 'create',
        aliases: ['add'],
        summary: 'route a host to a function',
        details:
          'Example:\n  edgefaas domain create api.example.com --function env --path /v1 --redirect-https',
        args: [{ name: 'host', required: true }],
        options: { ...SETTINGS, ...NAMESPACE_OPTION, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const body = { host: host(args.host), ...(await settings(options, io)) }
          if (!body.function) throw usageError('give the function with --function')
          const client = await clientFor(options, io)
          done(
            io,
            options,
            await client.json<DomainView>('POST', '/system/domains', { json: body }),
            'Created',
          )
        },
      },
      {
        name: 'update',
        summary: "change a domain's function, path, redirect or TLS",
        args: [{ name: 'host', required: true }],
        options: { ...SETTINGS, ...NAMESPACE_OPTION, ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const body = await settings(options, io)
          const client = await clientFor(options, io)
          const d = await client.json<DomainView>('PUT', `/system/domains/${host(args.host)}`, { json: body })
          done(io, options, d, 'Updated')
        },
      },
      {
        name: 'remove',
        aliases: ['rm', 'delete'],
        summary: 'remove a domain (its certificate and key go too)',
        args: [{ name: 'host', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const h = host(args.host)
          const response = await client.request('DELETE', `/system/domains/${h}`)
          await response.body?.cancel()
          io.stdout.write(`Removed domain ${h}.\n`)
        },
      },
      {
        name: 'certificate',
        aliases: ['cert'],
        summary: "upload or drop a domain's own certificate",
        subcommands: [
          {
            name: 'set',
            summary: 'upload a certificate chain and its key (the domain then uses it)',
            args: [{ name: 'host', required: true }],
            options: {
              'cert-file': SETTINGS['cert-file'],
              'key-file': SETTINGS['key-file'],
              ...JSON_OPTION,
              ...GATEWAY_OPTIONS,
            },
            async run({ args, options, io }) {
              const pair = await pemPair(options, io, true)
              const client = await clientFor(options, io)
              const d = await client.json<DomainView>(
                'PUT',
                `/system/domains/${host(args.host)}/certificate`,
                {
                  json: pair,
                },
              )
              if (options.json === true) return printJson(io, d)
              io.stdout.write(`Certificate set for ${d.host} (expires ${d.certificate.notAfter ?? '?'}).\n`)
            },
          },
          {
            name: 'remove',
            aliases: ['rm', 'delete'],
            summary: 'drop the uploaded certificate (back to ACME where configured)',
            args: [{ name: 'host', required: true }],
            options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
            async run({ args, options, io }) {
              const client = await clientFor(options, io)
              const d = await client.json<DomainView>(
                'DELETE',
                `/system/domains/${host(args.host)}/certificate`,
              )
              if (options.json === true) return printJson(io, d)
              io.stdout.write(`Certificate removed from ${d.host}; TLS is now ${d.tls}.\n`)
            },
          },
        ],
      },
    ],
  },
]
