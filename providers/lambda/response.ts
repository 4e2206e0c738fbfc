/**
 * @module
 * Lambda's answer to an Invoke as the HTTP response API Gateway's HTTP APIs would give (payload format
 * 2.0): `{statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded}` becomes the status,
 * the headers (each cookie its own `Set-Cookie`), and the body, base64-decoded when flagged. A payload
 * that is not such an object is the body of a 200 as it is, `application/json`, as API Gateway answers it.
 *
 * A function error (`X-Amz-Function-Error`, payload `{errorType, errorMessage}`) is the function's own
 * failure, not the backend's: 504 when Lambda stopped it at its timeout, 502 otherwise, with the error
 * type in `X-Edgefaas-Function-Error` and both in the text. No `X-OpenFaaS-Internal`: the function ran,
 * so the call is never resent.
 */
import { base64ToBytes } from '../../src/base64.ts'
import { connectionOptions, isHopByHop } from '../../src/contract/hop-by-hop.ts'

export const FUNCTION_ERROR_HEADER = 'x-edgefaas-function-error'

const NULL_BODY = new Set([101, 103, 204, 205, 304])
const decoder = new TextDecoder()

interface StructuredAnswer {
  statusCode: unknown
  headers?: unknown
  multiValueHeaders?: unknown
  cookies?: unknown
  body?: unknown
  isBase64Encoded?: unknown
}

/** The HTTP answer for a successful Invoke's payload; `label` names the function in messages. */
export function responseFromPayload(payload: Uint8Array, label: string): Response {
  const text = decoder.decode(payload)
  let parsed: unknown
  try {
    parsed = text === '' ? null : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!isStructured(parsed)) {
    return new Response(payload.byteLength === 0 ? null : payload, {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  const status = parsed.statusCode
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return malformed(label, `statusCode ${JSON.stringify(status)} is not an HTTP status`)
  }
  const headers = new Headers()
  try {
    addHeaders(headers, parsed.headers, parsed.multiValueHeaders)
    if (Array.isArray(parsed.cookies)) {
      for (const cookie of parsed.cookies)
        if (typeof cookie === 'string') headers.append('set-cookie', cookie)
    }
  } catch (error) {
    return malformed(label, `a header is invalid (${error instanceof Error ? error.message : error})`)
  }
  let body: Uint8Array | string | null = null
  if (typeof parsed.body === 'string' && parsed.body !== '') {
    if (parsed.isBase64Encoded === true) {
      try {
        body = base64ToBytes(parsed.body)
      } catch {
        return malformed(label, 'the body is flagged base64 but is not')
      }
    } else {
      body = parsed.body
    }
  }
  return new Response(NULL_BODY.has(status) ? null : body, { status, headers })
}

/** The answer for an Invoke that reported a function error. */
export function responseFromFunctionError(
  payload: Uint8Array,
  functionError: string,
  label: string,
): Response {
  let type = functionError
  let message = ''
  try {
    const error = JSON.parse(decoder.decode(payload)) as { errorType?: unknown; errorMessage?: unknown }
    if (typeof error.errorType === 'string' && error.errorType !== '') type = error.errorType
    if (typeof error.errorMessage === 'string') message = error.errorMessage
  } catch {
    message = decoder.decode(payload.slice(0, 300))
  }
  const timedOut = type === 'Sandbox.Timedout' || /task timed out|lambda timeout/i.test(message)
  const clean = (s: string) => s.replace(/\p{Cc}+/gu, ' ').slice(0, 500)
  return new Response(
    timedOut
      ? `function ${label} timed out on Lambda: ${clean(message)}`
      : `function ${label} failed on Lambda: ${clean(type)}${message ? `: ${clean(message)}` : ''}`,
    {
      status: timedOut ? 504 : 502,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        [FUNCTION_ERROR_HEADER]: type.replace(/[^\x21-\x7e]/g, '_').slice(0, 100),
      },
    },
  )
}

function isStructured(value: unknown): value is StructuredAnswer {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'statusCode' in value
}

function addHeaders(headers: Headers, single: unknown, multi: unknown): void {
  const skip = (name: string, listed: ReadonlySet<string> | null) =>
    // The body is rebuilt here: its length and framing are this response's own.
    isHopByHop(name.toLowerCase(), listed) || name.toLowerCase() === 'content-length'
  const all: Array<[string, string]> = []
  if (typeof multi === 'object' && multi !== null) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const v of values) all.push([name, String(v)])
    }
  }
  if (typeof single === 'object' && single !== null) {
    for (const [name, value] of Object.entries(single)) {
      if (all.some(([n]) => n.toLowerCase() === name.toLowerCase())) continue
      all.push([name, String(value)])
    }
  }
  const connection = all.find(([n]) => n.toLowerCase() === 'connection')?.[1]
  const listed = connectionOptions(connection)
  for (const [name, value] of all) if (!skip(name, listed)) headers.append(name, value)
}

function malformed(label: string, why: string): Response {
  return new Response(`function ${label} gave Lambda an answer that is not an HTTP response: ${why}`, {
    status: 502,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })
}
