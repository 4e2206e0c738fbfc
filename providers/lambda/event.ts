/**
 * @module
 * An invocation as the event API Gateway's HTTP APIs send Lambda (payload format 2.0), which the Lambda
 * Web Adapter turns back into an HTTP request to the watchdog on `AWS_LWA_PORT` (and which Lambda's own
 * runtimes and most HTTP frameworks' Lambda bindings read too). As API Gateway does: header names are
 * lower-cased and repeated ones joined with `,`; `Cookie` travels in `cookies`; the query is given raw
 * and parsed; the body is always base64, so any bytes arrive unchanged. Hop-by-hop headers stay here.
 */
import { bytesToBase64 } from '../../src/base64.ts'
import { connectionOptions, isHopByHop } from '../../src/contract/hop-by-hop.ts'

export interface HttpEvent {
  version: '2.0'
  routeKey: '$default'
  rawPath: string
  rawQueryString: string
  cookies?: string[]
  headers: Record<string, string>
  queryStringParameters?: Record<string, string>
  requestContext: {
    accountId: string
    apiId: string
    domainName: string
    domainPrefix: string
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string }
    requestId: string
    routeKey: '$default'
    stage: '$default'
    time: string
    timeEpoch: number
  }
  body?: string
  isBase64Encoded: boolean
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `path` is what follows `/function/<name>`, with its query. */
export function httpEvent(
  method: string,
  path: string,
  incoming: Headers,
  body: Uint8Array | null,
): HttpEvent {
  const q = path.indexOf('?')
  const rawPath = q === -1 ? path : path.slice(0, q)
  const rawQueryString = q === -1 ? '' : path.slice(q + 1)
  const headers: Record<string, string> = {}
  const listed = connectionOptions(incoming.get('connection'))
  let cookies: string[] | undefined
  incoming.forEach((value, key) => {
    if (isHopByHop(key, listed)) return
    if (key === 'cookie') {
      cookies = value
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '')
      return
    }
    // Headers joins repeated values with ", "; API Gateway joins them with ",".
    headers[key] = value
  })
  const query: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value
  }
  const now = new Date()
  const host = headers.host ?? 'edgefaas'
  const event: HttpEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'edgefaas',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: (headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() || '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  }
  if (body && body.byteLength > 0) {
    event.body = bytesToBase64(body)
    event.isBase64Encoded = true
  }
  return event
}

/** `01/Dec/2026:06:49:34 +0000`, the format of API Gateway's `requestContext.time`. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  )
}
