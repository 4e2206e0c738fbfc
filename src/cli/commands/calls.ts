/**
 * @module
 * Async calls: `calls get|cancel` (`/system/calls/{id}`, `DELETE /async-function/{id}`) and
 * `dead-letters list|get|replay|remove` (`/system/dead-letters`): the calls that used up their retries,
 * to inspect and send again once the cause is fixed.
 */
import { type CommandSpec, EXIT } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { JSON_OPTION, printFields, printJson, printTable } from '../output.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, NAMESPACE_OPTION, str, wholeNumber } from './common.ts'

interface CallView {
  id: string
  function: string
  namespace: string
  queue: string
  status: string
  attempts: number
  lastStatus: number | null
  lastError: string | null
  createdAt: string
  updatedAt: string
}

interface DeadLetterView {
  id: string
  function: string
  namespace: string
  queue: string
  attempts: number
  lastStatus: number | null
  lastError: string | null
  callbackUrl: string | null
  createdAt: string
  request?: { method: string; path: string; query: string; headers: Array<[string, string]>; body: string }
}

const id = (value: string | undefined) => `/${encodeURIComponent(value ?? '')}`

export const callCommands: CommandSpec[] = [
  {
    name: 'calls',
    summary: 'follow or cancel asynchronous calls by their call id (X-Call-Id)',
    subcommands: [
      {
        name: 'get',
        aliases: ['status'],
        summary: "show a call's status: queued, running, succeeded, failed, dead-lettered, cancelled",
        args: [{ name: 'id', required: true }],
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const call = await client.json<CallView>('GET', `/system/calls${id(args.id)}`)
          if (options.json === true) return printJson(io, call)
          printFields(io, [
            ['Call', call.id],
            ['Function', `${call.function}.${call.namespace}`],
            ['Queue', call.queue],
            ['Status', call.status],
            ['Attempts', call.attempts],
            ['Last status', call.lastStatus],
            ['Last error', call.lastError],
            ['Created', call.createdAt],
            ['Updated', call.updatedAt],
          ])
        },
      },
      {
        name: 'cancel',
        summary: 'cancel a call that is still queued',
        args: [{ name: 'id', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const response = await client.request('DELETE', `/async-function${id(args.id)}`)
          await response.body?.cancel()
          io.stdout.write(`Cancelled call ${args.id}.\n`)
        },
      },
    ],
  },
  {
    name: 'dead-letters',
    aliases: ['dlq'],
    summary: 'inspect and replay async calls that used up their retries',
    subcommands: [
      {
        name: 'list',
        aliases: ['ls'],
        summary: 'list dead letters, newest first',
        options: {
          function: { type: 'string', placeholder: 'name', description: 'only this function' },
          ...NAMESPACE_OPTION,
          limit: { type: 'string', placeholder: 'n', description: 'page size, 1 to 1000 (default 100)' },
          after: {
            type: 'string',
            placeholder: 'cursor',
            description: 'the next page, from a previous listing',
          },
          ...JSON_OPTION,
          ...GATEWAY_OPTIONS,
        },
        async run({ options, io }) {
          const client = await clientFor(options, io)
          const limit =
            options.limit === undefined ? undefined : String(wholeNumber(str(options.limit), 'limit', 1))
          const page = await client.json<{ items: DeadLetterView[]; next: string | null }>(
            'GET',
            '/system/dead-letters',
            {
              query: {
                function: str(options.function),
                namespace: str(options.namespace),
                limit,
                after: str(options.after),
              },
            },
          )
          if (options.json === true) return printJson(io, page)
          printTable(
            io,
            page.items,
            [
              ['ID', (d) => d.id],
              ['FUNCTION', (d) => `${d.function}.${d.namespace}`],
              ['ATTEMPTS', (d) => d.attempts],
              ['LAST STATUS', (d) => d.lastStatus ?? ''],
              ['CREATED', (d) => d.createdAt],
              ['LAST ERROR', (d) => d.lastError ?? ''],
            ],
            'No dead letters.',
          )
          if (page.next) io.stdout.write(`More: edgefaas dead-letters list --after ${page.next}\n`)
        },
      },
      {
        name: 'get',
        summary: 'show one dead letter with its request',
        args: [{ name: 'id', required: true }],
        options: { ...JSON_OPTION, ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const d = await client.json<DeadLetterView>('GET', `/system/dead-letters${id(args.id)}`)
          if (options.json === true) return printJson(io, d)
          printFields(io, [
            ['Call', d.id],
            ['Function', `${d.function}.${d.namespace}`],
            ['Queue', d.queue],
            ['Attempts', d.attempts],
            ['Last status', d.lastStatus],
            ['Last error', d.lastError],
            ['Callback', d.callbackUrl],
            ['Created', d.createdAt],
            [
              'Request',
              d.request
                ? `${d.request.method} ${d.request.path.startsWith('/') ? '' : '/'}${d.request.path}${d.request.query ? `?${d.request.query}` : ''}`
                : undefined,
            ],
            ['Body bytes', d.request ? Buffer.from(d.request.body, 'base64').length : undefined],
          ])
        },
      },
      {
        name: 'replay',
        summary: 'queue dead letters again, with their call ids (all matching with --all)',
        args: [{ name: 'id', variadic: true }],
        options: {
          all: { type: 'boolean', description: 'every dead letter (of --function, if given)' },
          function: { type: 'string', placeholder: 'name', description: 'with --all: only this function' },
          ...NAMESPACE_OPTION,
          ...GATEWAY_OPTIONS,
        },
        async run({ rest, options, io }) {
          const client = await clientFor(options, io)
          let ids = rest
          if (options.all === true) {
            if (ids.length > 0) throw usageError('give call ids or --all, not both')
            ids = []
            let after: string | undefined
            do {
              const page: { items: DeadLetterView[]; next: string | null } = await client.json(
                'GET',
                '/system/dead-letters',
                {
                  query: {
                    function: str(options.function),
                    namespace: str(options.namespace),
                    limit: '1000',
                    after,
                  },
                },
              )
              ids.push(...page.items.map((d) => d.id))
              after = page.next ?? undefined
            } while (after)
          } else if (ids.length === 0) {
            throw usageError('give the call ids to replay, or --all')
          }
          let failed = 0
          for (const callId of ids) {
            try {
              const response = await client.request('POST', `/system/dead-letters${id(callId)}/replay`)
              await response.body?.cancel()
              io.stdout.write(`Replayed ${callId}.\n`)
            } catch (error) {
              failed++
              io.stderr.write(`${callId}: ${error instanceof Error ? error.message : String(error)}\n`)
            }
          }
          if (ids.length === 0) io.stdout.write('No dead letters to replay.\n')
          return failed > 0 ? EXIT.failed : EXIT.ok
        },
      },
      {
        name: 'remove',
        aliases: ['rm', 'delete'],
        summary: 'delete a dead letter without replaying it',
        args: [{ name: 'id', required: true }],
        options: { ...GATEWAY_OPTIONS },
        async run({ args, options, io }) {
          const client = await clientFor(options, io)
          const response = await client.request('DELETE', `/system/dead-letters${id(args.id)}`)
          await response.body?.cancel()
          io.stdout.write(`Removed dead letter ${args.id}.\n`)
        },
      },
    ],
  },
]
