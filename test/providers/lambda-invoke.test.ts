/**
 * The Lambda invoke path end to end against a real local Invoke endpoint: serverless-offline running the
 * handler in test/fixtures/lambda/handler.mjs (test/harness/lambda-offline.ts). The provider's Invoke
 * client points at it; the control plane is never touched on this path. What goes in is an API Gateway
 * v2 HTTP event, what comes out the HTTP response it describes: status, headers, multi-value headers and
 * cookies, base64 bodies both ways, function errors as 502 with the error type, Lambda timeouts as 504.
 */
import { randomBytes } from 'node:crypto'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createLambdaProvider,
  FUNCTION_ERROR_HEADER,
  type LambdaProvider,
} from '../../providers/lambda/index.ts'
import { ProviderError } from '../../providers/types.ts'
import { errorOutcome } from '../../src/invoke/attempt-outcome.ts'
import { type LambdaOffline, startLambdaOffline } from '../harness/lambda-offline.ts'

const NS = 'openfaas-fn'
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

describe('lambda provider: invoke through a real local Invoke endpoint (serverless-offline)', () => {
  let offline: LambdaOffline
  let provider: LambdaProvider
  let unreachable: LambdaProvider

  const clients = (endpoint: string) => ({
    // The control plane is not used by invoke; a client that cannot reach anything proves it.
    lambda: new LambdaClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials }),
    invoke: new LambdaClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 }),
    logs: new CloudWatchLogsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials }),
  })
  const call = (path: string, init: RequestInit & { signal?: AbortSignal } = {}, name = 'fixture') => {
    const request = new Request(`http://gateway.test/function/${name}${path}`, init)
    return provider.invoke(NS, name, path, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: init.signal ?? AbortSignal.timeout(20_000),
    })
  }

  beforeAll(async () => {
    offline = await startLambdaOffline({
      functionNames: ['edgefaas-openfaas-fn_fixture'],
      timeoutSeconds: 2,
    })
    const options = { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/fn' }
    provider = createLambdaProvider({ ...options, clients: clients(offline.endpoint) })
    unreachable = createLambdaProvider({ ...options, clients: clients('http://127.0.0.1:9') })
  }, 90_000)

  afterAll(async () => {
    await offline?.stop()
  })

  it('sends an API Gateway v2 event: path, raw and parsed query, headers, cookies, base64 body', async () => {
    const response = await call('/event?x=1&x=2&y=a%20b', {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        cookie: 'a=1; b=2',
        'x-custom': 'yes',
        'user-agent': 'probe/1',
      },
      body: 'hello lambda',
    })
    expect(response.status).toBe(200)
    const event = (await response.json()) as Record<string, unknown> & {
      requestContext: { http: Record<string, unknown> }
      headers: Record<string, string>
    }
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/event',
      rawQueryString: 'x=1&x=2&y=a%20b',
      queryStringParameters: { x: '1,2', y: 'a b' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: true,
      decodedBody: 'hello lambda',
    })
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/event', userAgent: 'probe/1' })
    expect(event.headers['x-custom']).toBe('yes')
    expect(event.headers.cookie).toBeUndefined()
  })

  it('carries any bytes both ways as base64', async () => {
    const payload = randomBytes(256 * 1024)
    const response = await call('/echo', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: payload,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true)
  })

  it('maps the status, headers, multi-value headers and each cookie to its own Set-Cookie', async () => {
    const response = await call('/cookies')
    expect(response.status).toBe(201)
    expect(response.headers.get('x-one')).toBe('a')
    expect(response.headers.get('x-many')).toBe('b, c')
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly'])
    expect(await response.text()).toBe('with cookies')
    const teapot = await call('/status/418')
    expect(teapot.status).toBe(418)
    expect(await teapot.text()).toBe('status 418')
  })

  it('passes a redirect through, and answers a payload that is no HTTP response as a JSON 200', async () => {
    const redirect = await call('/redirect')
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('http://example.com/')
    const plain = await call('/plain')
    expect(plain.status).toBe(200)
    expect(plain.headers.get('content-type')).toBe('application/json')
    expect(await plain.json()).toEqual({ hello: 'world' })
  })

  it('answers a function error 502 with its type, and never as the backend own failure', async () => {
    const response = await call('/error', { method: 'POST', body: 'x' })
    expect(response.status).toBe(502)
    expect(response.headers.get(FUNCTION_ERROR_HEADER)).toBe('Error')
    expect(response.headers.has('x-openfaas-internal')).toBe(false)
    expect(await response.text()).toMatch(
      /fixture\.openfaas-fn failed on Lambda: Error: the handler failed on purpose/,
    )
  })

  it('answers a function stopped at its Lambda timeout 504', async () => {
    const response = await call('/sleep')
    expect(response.status).toBe(504)
    expect(await response.text()).toMatch(/timed out on Lambda/)
  }, 20_000)

  it('throws NOT_FOUND for a function Lambda does not have', async () => {
    const error = await call('/', {}, 'missing').catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('NOT_FOUND')
  })

  it('answers a body over Lambda payload limit 413 without calling Lambda', async () => {
    const response = await unreachable.invoke(NS, 'fixture', '/echo', {
      method: 'POST',
      headers: new Headers(),
      body: new Blob([new Uint8Array(5 * 1024 * 1024)]).stream(),
      signal: AbortSignal.timeout(10_000),
    })
    expect(response.status).toBe(413)
    expect(response.headers.get('x-openfaas-internal')).toBe('proxy')
  })

  it('stops waiting when the caller goes away', async () => {
    const controller = new AbortController()
    const pending = call('/sleep', { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('caller left')), 300)
    await expect(pending).rejects.toThrow('caller left')
  })

  it('an endpoint that refuses connections is UNAVAILABLE, resendable as never sent', async () => {
    const error = await unreachable
      .invoke(NS, 'fixture', '/', {
        method: 'GET',
        headers: new Headers(),
        body: null,
        signal: AbortSignal.timeout(10_000),
      })
      .catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('UNAVAILABLE')
    expect(errorOutcome(error, false, false)).toMatchObject({ kind: 'unreachable', beforeSend: true })
  })
})
