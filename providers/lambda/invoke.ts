/**
 * @module
 * One invocation: the request as an API Gateway v2 HTTP event (event.ts), sent with Lambda's Invoke
 * (RequestResponse) to the function's alias, the answer mapped back (response.ts). Lambda takes the
 * whole event at once, so the body is read first, up to Lambda's 6 MB payload limit (after base64,
 * about 4.5 MB of body); a larger one is answered 413 without calling Lambda.
 *
 * Errors: an unknown function is NOT_FOUND and throttling (`TooManyRequestsException`) or a function
 * not ready yet (`ResourceNotReadyException`) UNAVAILABLE with a before-send cause: Lambda ran nothing,
 * so the gateway may send the call to another placement. Anything else after the request left may have
 * run the function and is not resendable. The caller leaving or the gateway's timeout aborts the Invoke.
 */
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda'
import { INTERNAL_HEADER } from '../../src/contract/internal-header.ts'
import { HttpTransportError } from '../../src/http/client.ts'
import { awsError, isThrottling } from '../aws/errors.ts'
import { checkFunctionPath } from '../openfaas/invoke.ts'
import { type InvocationRequest, ProviderError } from '../types.ts'
import { httpEvent } from './event.ts'
import type { ResolvedLambdaOptions } from './options.ts'
import { responseFromFunctionError, responseFromPayload } from './response.ts'

/** Lambda's limit on a synchronous Invoke's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
const encoder = new TextEncoder()

export async function invokeFunction(
  o: ResolvedLambdaOptions,
  fn: string,
  label: string,
  path: string,
  request: InvocationRequest,
): Promise<Response> {
  // The watchdog behind the adapter resolves the path: no climbing out of the function's own routes.
  checkFunctionPath(path)
  const body = request.body ? await readAtMost(request.body, MAX_PAYLOAD_BYTES, request.signal) : null
  if (body === 'too-large') return tooLarge(label)
  const payload = encoder.encode(JSON.stringify(httpEvent(request.method, path, request.headers, body)))
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return tooLarge(label)
  let answer: InvokeCommandOutput
  try {
    answer = await o.clients.invoke.send(
      new InvokeCommand({
        FunctionName: fn,
        Qualifier: o.alias,
        InvocationType: 'RequestResponse',
        Payload: payload,
      }),
      { abortSignal: request.signal },
    )
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason
    const name = (error as { name?: string } | null)?.name
    if (name === 'ResourceNotFoundException')
      throw new ProviderError('NOT_FOUND', `function ${label} is not on backend ${o.shown}`, { cause: error })
    if (name === 'RequestTooLargeException') return tooLarge(label)
    if (isThrottling(error) || name === 'ResourceNotReadyException' || name === 'EC2ThrottledException') {
      const said = (error as Error).message
      throw new ProviderError(
        'UNAVAILABLE',
        `invoking ${label}: ${o.shown} refused the call (${name}: ${said})`,
        {
          cause: new HttpTransportError(`Lambda did not run the call: ${name}`, {
            beforeSend: true,
            cause: error,
          }),
        },
      )
    }
    throw awsError(error, `invoking ${label}`, o.shown, 'lambda:InvokeFunction')
  }
  const result = answer.Payload ?? new Uint8Array()
  if (answer.FunctionError) return responseFromFunctionError(result, answer.FunctionError, label)
  return responseFromPayload(result, label)
}

/** The body's bytes, or `too-large` as soon as it passes `limit` (the rest is not read). */
async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  signal: AbortSignal,
): Promise<Uint8Array | 'too-large'> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  const onAbort = () => reader.cancel(signal.reason).catch(() => {})
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (signal.aborted) throw signal.reason
      if (done) break
      size += value.byteLength
      if (size > limit) {
        reader.cancel().catch(() => {})
        return 'too-large'
      }
      chunks.push(value)
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function tooLarge(label: string): Response {
  return new Response(
    `the request to ${label} is too large for AWS Lambda: its payload limit is 6 MB, about 4.5 MB of body once base64-encoded`,
    { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8', [INTERNAL_HEADER]: 'proxy' } },
  )
}
