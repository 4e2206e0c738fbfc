/**
 * @module
 * Pure helpers of the classic watchdog (watchdog.ts): the CGI-style environment given to each forked
 * process, Go-style durations and Go `log` timestamps. No runtime imports, so the watchdog starts fast.
 */
import type { IncomingMessage } from 'node:http'

/** Go's `textproto.CanonicalMIMEHeaderKey`: `x-call-id` → `X-Call-Id`. */
export function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('-')
}

/**
 * The env of one forked process, as the classic watchdog builds it: its own env, one `Http_<Header>`
 * per request header (first value), then `Http_Method`, `Http_ContentLength` and `Http_Content_Length`
 * (-1 when chunked), `Http_Transfer_Encoding`, `Http_Query` (raw, only when present), `Http_Path`, `Http_Host`.
 */
export function cgiEnv(base: NodeJS.ProcessEnv, request: IncomingMessage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value
  // Go keeps Host and Transfer-Encoding out of the header map; they get their own variables.
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name === 'host' || name === 'transfer-encoding' || !values?.[0]) continue
    env[`Http_${canonicalHeader(name).replaceAll('-', '_')}`] = values[0]
  }
  const url = new URL(request.url ?? '/', 'http://watchdog')
  const chunked = request.headers['transfer-encoding']
  const length = request.headers['content-length'] ?? (chunked ? '-1' : '0')
  env.Http_Method = request.method ?? 'GET'
  env.Http_ContentLength = length
  env.Http_Content_Length = length
  if (chunked) env.Http_Transfer_Encoding = chunked.split(',')[0]?.trim() ?? chunked
  if (url.search.length > 1) env.Http_Query = url.search.slice(1)
  env.Http_Path = safeDecode(url.pathname)
  if (request.headers.host) env.Http_Host = request.headers.host
  return env
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
}

/** Seconds as a bare number (`10`) or a Go duration (`1m30s`, `500ms`), in ms; `fallback` when unparsable. */
export function parseDuration(value: string | undefined, fallback: number): number {
  if (!value) return fallback
  if (/^\d+$/.test(value)) return Number(value) * 1_000
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) return fallback
  return parts.reduce((total, part) => total + Number(part[1]) * (UNIT_MS[part[2] ?? 's'] ?? 0), 0)
}

/** `2006/01/02 15:04:05 `, the prefix Go's `log` package puts on each line (local time). */
export function logTimestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  const day = `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())}`
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} `
}
