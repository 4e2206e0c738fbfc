/**
 * @module
 * A function's logs from the backend's `GET /system/logs` (contract §1.5.10): NDJSON, one
 * `{name,namespace,instance,timestamp,text}` per line, streamed while `follow` is on. A backend that
 * does not serve logs answers 501 (the OpenFaaS gateway turns its provider's 404 into that), or Go's
 * bare `404 page not found` when the route does not exist: both are UNSUPPORTED, and the provider then
 * declares `logs: false`. Any other 404 is the function not being there.
 */
import type { LogMessage, LogRequest } from '../../src/contract/types.ts'
import type { ProviderCapabilities } from '../types.ts'
import { ProviderError } from '../types.ts'
import type { BackendApi } from './backend-api.ts'
import { backendError, shortText } from './errors.ts'

const NO_ROUTE = '404 page not found'

export async function* readLogs(
  api: BackendApi,
  capabilities: ProviderCapabilities,
  wireNamespace: string | null,
  request: LogRequest,
  signal: AbortSignal,
): AsyncGenerator<LogMessage> {
  const label = `${request.name}.${request.namespace}`
  const response = await api.call('GET', '/system/logs', {
    query: {
      name: request.name,
      namespace: wireNamespace ?? undefined,
      instance: request.instance,
      tail: request.tail === undefined ? undefined : String(request.tail),
      follow: request.follow ? 'true' : 'false',
      since: request.since?.toISOString(),
    },
    signal,
    stream: request.follow,
  })
  if (response.status === 404) {
    const text = await shortText(response)
    if (text !== NO_ROUTE)
      throw new ProviderError('NOT_FOUND', `reading logs of ${label}: ${text || 'not found'}`)
    capabilities.logs = false
    throw new ProviderError('UNSUPPORTED', `backend ${api.shown} does not serve logs`)
  }
  if (response.status === 501) {
    await shortText(response)
    capabilities.logs = false
    throw new ProviderError('UNSUPPORTED', `backend ${api.shown} does not serve logs`)
  }
  if (!response.ok) throw await backendError(response, `reading logs of ${label}`, api.shown)
  if (!response.body) return
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffered += value
      let newline = buffered.indexOf('\n')
      while (newline !== -1) {
        const message = parseLine(buffered.slice(0, newline), request)
        buffered = buffered.slice(newline + 1)
        if (message) yield message
        newline = buffered.indexOf('\n')
      }
    }
    const last = parseLine(buffered, request)
    if (last) yield last
  } finally {
    reader.cancel().catch(() => {})
  }
}

/** One NDJSON line; a blank or malformed line is skipped rather than ending the stream. */
function parseLine(line: string, request: LogRequest): LogMessage | null {
  if (line.trim() === '') return null
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const m = value as Record<string, unknown>
  const text = (key: string) => (typeof m[key] === 'string' ? (m[key] as string) : '')
  return {
    name: text('name') || request.name,
    // A backend without namespaces sends "" (or its own one): the caller asked about this namespace.
    namespace: request.namespace,
    instance: text('instance'),
    timestamp: text('timestamp'),
    text: text('text'),
  }
}
