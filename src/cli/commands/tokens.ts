/**
 * @module
 * `token list|create|revoke` (`/system/tokens`): scoped API tokens for CI and people, so a pipeline
 * deploys with a `deploy` token instead of the admin password. The secret is shown once, at creation.
 */
import type { CommandSpec } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { JSON_OPTION, printJson, printTable } from '../output.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, list, str } from './common.ts'

interface TokenView {
  id: string
  name: string
  scopes: string[]
  namespaces: string[]
  functions: string[] | null
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
}

export const tokenCommands: CommandSpec[] = [
  {
    name: 'token',
    summary: 'scoped API tokens (read, deploy, secrets, invoke, admin)',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list tokens (never their secrets)',
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const tokens = await client.json<TokenView[]>('GET', '/system/tokens')
          if (options.json === true) return printJson(io, tokens)
          printTable(
            io,
            tokens,
            [
              ['ID', (t) => t.id],
              ['NAME', (t) => t.name],
              ['SCOPES', (t) => t.scopes.join(',')],
              ['NAMESPACES', (t) => t.namespaces.join(',')],
              ['EXPIRES', (t) => t.expiresAt ?? 'never'],
              [
                'STATE',
                (t) =>
                  t.revokedAt
                    ? 'revoked'
                    : t.expiresAt && Date.parse(t.expiresAt) < Date.now()
                      ? 'expired'
                      : 'active',
              ],
            ],
            'No tokens.',
          )
        },
      },
      {
        name: 'create',
        summary: 'create a token and print its secret (shown only this once)',
        details:
          'Example:\n  edgefaas token create ci --scope deploy --namespace openfaas-fn --expires-in 90d\n  (then in CI: OPENFAAS_TOKEN=<the secret> edgefaas apply --yes)',
        args: [{ name: 'name', required: true }],
        options: {
          scope: {
            type: 'string',
            short: 's',
            multiple: true,
            placeholder: 'scope',
            description: 'read, deploy, secrets, invoke or admin (repeatable)',
          },
          namespace: {
            type: 'string',
            short: 'n',
            multiple: true,
            placeholder: 'ns',
            description: 'namespace it acts in (repeatable; default every namespace)',
          },
          function: {
            type: 'string',
            multiple: true,
            placeholder: 'name[.ns]',
            description: 'limit an invoke token to these functions (repeatable)',
          },
          'expires-in': {
            type: 'string',
            placeholder: 'duration',
            description: 'e.g. 90m, 12h, 30d (default: never)',
          },
          ...JSON_OPTION,
          ...GATEWAY_OPTIONS,
        },
        async run({ args, options, io }) {
          const scopes = list(options.scope)
          if (scopes.length === 0)
            throw usageError('give at least one --scope (read, deploy, secrets, invoke, admin)')
          const namespaces = list(options.namespace)
          const functions = list(options.function)
          const expiresIn = str(options['expires-in'])
          const client = await clientFor(options, io)
          const made = await client.json<TokenView & { token: string }>('POST', '/system/tokens', {
            json: {
              name: args.name,
              scopes,
              namespaces: namespaces.length > 0 ? namespaces : ['*'],
              ...(functions.length > 0 ? { functions } : {}),
              ...(expiresIn ? { expiresIn } : {}),
            },
          })
          if (options.json === true) return printJson(io, made)
          io.stdout.write(`${made.token}\n`)
          io.stderr.write(`Token ${made.id} (${made.name}) created; its secret above is not shown again.\n`)
        },
      },
      {
        name: 'revoke',
        aliases: ['rm', 'delete'],
        summary: 'revoke a token at once',
        args: [{ name: 'id', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const response = await client.request(
            'DELETE',
            `/system/tokens/${encodeURIComponent(args.id ?? '')}`,
          )
          await response.body?.cancel()
          io.stdout.write(`Revoked token ${args.id}.\n`)
        },
      },
    ],
  },
]
