/**
 * @module
 * `logs`: a function's log lines from every backend it runs on (`GET /system/logs`, NDJSON), printed as
 * they arrive; `--follow` keeps the stream open until interrupted.
 */
import type { LogMessage } from '../../contract/types.ts'
import type { CommandSpec } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { GATEWAY_OPTIONS } from '../target.ts'
import { clientFor, NAMESPACE_OPTION, segment, str, wholeNumber } from './common.ts'

export const logCommands: CommandSpec[] = [
  {
    name: 'logs',
    summary: "print a function's logs; --follow for new lines as they come",
    args: [{ name: 'name', required: true }],
    options: {
      ...NAMESPACE_OPTION,
      follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until interrupted' },
      since: {
        type: 'string',
        placeholder: 'duration',
        description: 'only lines newer than this, e.g. 10m, 2h',
      },
      'since-time': { type: 'string', placeholder: 'rfc3339', description: 'only lines after this time' },
      lines: { type: 'string', placeholder: 'n', description: 'at most the last n lines' },
      instance: { type: 'string', placeholder: 'id', description: 'one instance (replica) only' },
      json: { type: 'boolean', description: 'print each line as the gateway sends it (NDJSON)' },
      ...GATEWAY_OPTIONS,
    },
    async run({ args, options, io }) {
      const client = await clientFor(options, io)
      const name = segment(args.name ?? '', 'function name')
      const query: Record<string, string | undefined> = {
        name,
        namespace: str(options.namespace),
        follow: options.follow === true ? 'true' : 'false',
        instance: str(options.instance),
        since: since(str(options.since), str(options['since-time'])),
        tail: options.lines === undefined ? undefined : String(wholeNumber(str(options.lines), 'lines')),
      }
      const response = await client.request('GET', '/system/logs', { query, stream: true })
      const decoder = new TextDecoder()
      let pending = ''
      const emit = (line: string) => {
        if (!line.trim()) return
        if (options.json === true) return io.stdout.write(`${line}\n`)
        try {
          const m = JSON.parse(line) as LogMessage
          io.stdout.write(`${m.timestamp} ${m.instance} ${m.text.endsWith('\n') ? m.text : `${m.text}\n`}`)
        } catch {
          io.stdout.write(`${line}\n`)
        }
      }
      for await (const chunk of response.body ?? []) {
        pending += decoder.decode(chunk as Uint8Array, { stream: true })
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) emit(line)
      }
      emit(pending)
    },
  },
]

function since(duration: string | undefined, time: string | undefined): string | undefined {
  if (duration && time) throw usageError('give --since or --since-time, not both')
  if (time) {
    if (Number.isNaN(Date.parse(time)))
      throw usageError(`--since-time ${time}: write an RFC 3339 time, e.g. 2026-12-01T08:00:00Z`)
    return new Date(time).toISOString()
  }
  if (!duration) return undefined
  const match = /^(\d+)(s|m|h|d)$/.exec(duration)
  if (!match) throw usageError(`--since ${duration}: write a duration such as 30s, 10m, 2h or 1d`)
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd']
  return new Date(Date.now() - Number(match[1]) * unit).toISOString()
}
