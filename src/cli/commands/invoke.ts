/**
 * @module
 * `invoke`: calls a function as any client would (`/function/NAME[.ns]`, or `/async-function/…` with
 * --async), without the admin credentials, like faas-cli. The body is stdin when it is not a terminal.
 * The function's answer goes to stdout byte for byte; a non-2xx answer also exits 1.
 */
import { type CommandSpec, EXIT } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { parsePairs, printJson } from '../output.ts'
import { qualified } from '../plan/render.ts'
import { readStdinBytes } from '../stdin.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, list, NAMESPACE_OPTION, segment, str } from './common.ts'

const NO_BODY = new Set(['GET', 'HEAD'])

export const invokeCommands: CommandSpec[] = [
  {
    name: 'invoke',
    summary: 'call a function (stdin is the request body), sync or --async',
    details:
      'Examples:\n  echo \'{"n":1}\' | edgefaas invoke api --content-type application/json\n  edgefaas invoke report --async --callback-url https://hooks.example/done < job.json\n  edgefaas invoke api -m GET --query page=2 -H x-trace=1',
    args: [{ name: 'name', required: true }],
    options: {
      ...NAMESPACE_OPTION,
      async: {
        type: 'boolean',
        short: 'a',
        description: 'queue the call (202 and a call id) instead of waiting',
      },
      method: {
        type: 'string',
        short: 'm',
        placeholder: 'method',
        description: 'HTTP method (default POST)',
      },
      header: {
        type: 'string',
        short: 'H',
        multiple: true,
        placeholder: 'k=v',
        description: 'request header (repeatable)',
      },
      query: {
        type: 'string',
        multiple: true,
        placeholder: 'k=v',
        description: 'query parameter (repeatable)',
      },
      'content-type': {
        type: 'string',
        placeholder: 'type',
        description: 'Content-Type of the body (default text/plain)',
      },
      'callback-url': {
        type: 'string',
        placeholder: 'url',
        description: 'with --async: where the result is posted',
      },
      path: {
        type: 'string',
        placeholder: 'path',
        description: 'path after the function name, e.g. /items/1',
      },
      json: { type: 'boolean', description: 'with --async: print the call id as JSON' },
      gateway: GATEWAY_OPTIONS.gateway,
      'tls-no-verify': GATEWAY_OPTIONS['tls-no-verify'],
    },
    async run({ args, options, io }) {
      const client = await clientFor(options, io)
      const name = segment(args.name ?? '', 'function name')
      const namespace = str(options.namespace)
      const isAsync = options.async === true
      const method = (str(options.method) ?? 'POST').toUpperCase()
      const headers = parsePairs(list(options.header), 'header')
      const query = parsePairs(list(options.query), 'query')
      headers['content-type'] ??= str(options['content-type']) ?? 'text/plain'
      const callback = str(options['callback-url'])
      if (callback) headers['x-callback-url'] = callback
      const body = NO_BODY.has(method) || io.stdin.isTTY ? undefined : await readStdinBytes(io)
      const extra = str(options.path) ?? ''
      if (/[?#]/.test(extra) || extra.split('/').some((part) => part === '..' || part === '.')) {
        throw usageError(
          '--path: a path below the function, without "..", "?" or "#" (use --query for a query)',
        )
      }
      const path = `/${isAsync ? 'async-function' : 'function'}/${qualified({ name, namespace })}${extra && !extra.startsWith('/') ? '/' : ''}${extra}`
      const response = await client.request(isAsync ? 'POST' : method, encodeURI(path), {
        headers,
        query,
        credentials: false,
        allow: ALL_STATUSES,
        ...(body ? { body: new Uint8Array(body) } : {}),
        stream: true,
      })
      if (isAsync && response.status === 202) {
        await response.body?.cancel()
        const id = response.headers.get('x-call-id') ?? ''
        if (options.json === true) printJson(io, { callId: id, status: 202 })
        else
          io.stdout.write(
            `Function submitted asynchronously. Call id: ${id}\nFollow it with: edgefaas calls get ${id}\n`,
          )
        return EXIT.ok
      }
      const bytes = new Uint8Array(await response.arrayBuffer())
      if (response.ok) {
        io.stdout.write(bytes)
        return EXIT.ok
      }
      io.stderr.write(Buffer.from(bytes).toString('utf8'))
      io.stderr.write(
        `\n${qualified({ name, namespace })} answered ${response.status}${hint(response.status, isAsync)}\n`,
      )
      return EXIT.failed
    },
  },
]

const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100)

function hint(status: number, isAsync: boolean): string {
  if (status === 404) return ' (no such function: see `edgefaas list`)'
  if (status === 501 && isAsync) return ' (async calls are not configured on this gateway)'
  return ''
}
