/**
 * @module
 * A function's log lines from CloudWatch Logs, where Lambda writes them (`/aws/lambda/<function>`) and
 * ECS's awslogs driver sends them (`<group>`, streams `<prefix>/<container>/<task id>`), read with
 * FilterLogEvents as OpenFaaS's `/system/logs` lines: oldest first, `tail` keeps the last lines, `follow`
 * keeps polling from the last event seen (every `pollMs`, each event once) until `signal` aborts.
 * A log group that does not exist yet (the function never wrote a line) gives no lines.
 */
import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs'
import type { LogMessage, LogRequest } from '../../src/contract/types.ts'
import { awsError, isNotFound } from './errors.ts'

export interface LogSource {
  client: CloudWatchLogsClient
  group: string
  /** Only streams starting with this (an ECS service's tasks); all streams of the group otherwise. */
  streamPrefix?: string
  /** For messages: `lambda eu-west-1`. */
  where: string
  /** How often `follow` asks for new lines. Default 2 s. */
  pollMs?: number
  /** How far back lines are read without `since`. Default 1 hour. */
  defaultWindowMs?: number
}

/** At most this many pages per read: a busy group must not keep one request reading for minutes. */
const MAX_PAGES = 20

export async function* readCloudWatchLogs(
  source: LogSource,
  request: LogRequest,
  signal: AbortSignal,
): AsyncGenerator<LogMessage> {
  const tail = request.tail !== undefined && request.tail > 0 ? request.tail : null
  let startTime = request.since?.getTime() ?? Date.now() - (source.defaultWindowMs ?? 3_600_000)
  const seen = new Set<string>()
  const toMessage = (event: FilteredLogEvent): LogMessage => ({
    name: request.name,
    namespace: request.namespace,
    instance: event.logStreamName ?? '',
    timestamp: new Date(event.timestamp ?? 0).toISOString(),
    text: (event.message ?? '').replace(/\r?\n$/, ''),
  })

  let first = true
  for (;;) {
    const events = await readWindow(source, request, startTime, signal)
    const fresh = events.filter((e) => {
      const id = e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
    const shown = first && tail !== null ? fresh.slice(-tail) : fresh
    for (const event of shown) yield toMessage(event)
    first = false
    const last = events.at(-1)?.timestamp
    // The same millisecond again: events written in it after this read are not lost (seen drops repeats).
    if (last !== undefined) startTime = last
    if (!request.follow || signal.aborted) return
    if (seen.size > 10_000) seen.clear()
    await sleep(source.pollMs ?? 2_000, signal)
    if (signal.aborted) return
  }
}

async function readWindow(
  source: LogSource,
  request: LogRequest,
  startTime: number,
  signal: AbortSignal,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = []
  let nextToken: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    let answer: FilterLogEventsCommandOutput
    try {
      answer = await source.client.send(
        new FilterLogEventsCommand({
          logGroupName: source.group,
          ...(request.instance
            ? { logStreamNames: [request.instance] }
            : source.streamPrefix
              ? { logStreamNamePrefix: source.streamPrefix }
              : {}),
          startTime,
          nextToken,
        }),
        { abortSignal: signal },
      )
    } catch (error) {
      if (isNotFound(error)) return events
      if (signal.aborted) return events
      throw awsError(
        error,
        `reading the logs of ${request.name}.${request.namespace}`,
        source.where,
        'logs:FilterLogEvents',
      )
    }
    events.push(...(answer.events ?? []))
    nextToken = answer.nextToken
    if (!nextToken) break
  }
  return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
