/**
 * Functions on an origin of their own. By default a function's pages share the API's origin, so their
 * scripts are same-origin with /system/* and the admin's browser session. With EDGEFAAS_FUNCTIONS_PORT
 * (a second listener) or EDGEFAAS_FUNCTIONS_HOST (by Host header) the functions origin serves only
 * invocations and /healthz, and the API's origin serves no function.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

/** A request with a chosen Host header (fetch does not let one set it). */
function send(
  port: number,
  host: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: { ...headers, host },
      agent: false,
    })
    req.once('error', reject)
    req.once('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.end(body)
  })
}

async function deployEcho(g: TestGateway, auth: Record<string, string>): Promise<void> {
  const res = await fetch(`${g.url}/system/functions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'echo', image: 'x', envProcess: 'cat' }),
  })
  expect(res.status, await res.text()).toBe(202)
  await pollUntil('echo to be ready', async () => {
    const status = await fetch(`${g.url}/system/function/echo`, { headers: auth })
    return (((await status.json()) as { availableReplicas?: number }).availableReplicas ?? 0) > 0
  })
}

describe('EDGEFAAS_FUNCTIONS_PORT: a second listener for functions', () => {
  let g: TestGateway
  let auth: Record<string, string>
  let functions: string
  beforeAll(async () => {
    g = await startTestGateway({ EDGEFAAS_FUNCTIONS_PORT: '0' })
    auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    functions = g.functionsUrl ?? 'no functions listener'
    await deployEcho(g, auth)
  })
  afterAll(() => g?.close())

  it('serves invocations, async submissions and /healthz', async () => {
    const res = await fetch(`${functions}/function/echo`, { method: 'POST', body: 'hi' })
    expect(await res.text()).toBe('hi')
    const queued = await fetch(`${functions}/async-function/echo`, { method: 'POST', body: 'later' })
    expect(queued.status).toBe(202)
    expect((await fetch(`${functions}/healthz`)).status).toBe(200)
  })

  it('serves nothing of the API or the dashboard, even with the admin credentials', async () => {
    for (const [method, path] of [
      ['GET', '/system/functions'],
      ['POST', '/system/functions'],
      ['GET', '/ui/'],
      ['GET', '/'],
      ['GET', '/metrics'],
      ['DELETE', '/async-function/some-call'],
      ['GET', '/function/../system/functions'],
    ] as const) {
      const res = await fetch(`${functions}${path}`, { method, headers: auth, redirect: 'follow' })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(await res.text()).toContain('serves only functions')
    }
  })

  it('the API origin answers /function/* with 404 naming the functions port, and serves the rest', async () => {
    const res = await fetch(`${g.url}/function/echo`, { method: 'POST', body: 'hi' })
    expect(res.status).toBe(404)
    expect(await res.text()).toContain(`port ${new URL(functions).port}`)
    expect((await fetch(`${g.url}//function/echo`, { method: 'GET' })).status).toBe(404)
    expect((await fetch(`${g.url}/system/functions`, { headers: auth })).status).toBe(200)
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200)
  })
})

describe('EDGEFAAS_FUNCTIONS_HOST: functions by Host header, on any runtime', () => {
  let g: TestGateway
  let auth: Record<string, string>
  beforeAll(async () => {
    g = await startTestGateway({ EDGEFAAS_FUNCTIONS_HOST: 'Fn.Example.Test' })
    auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    await deployEcho(g, auth)
  })
  afterAll(() => g?.close())

  it('the functions host serves invocations only', async () => {
    const call = await send(g.port, `fn.example.test:${g.port}`, 'POST', '/function/echo', {}, 'hi')
    expect(call).toEqual({ status: 200, body: 'hi' })
    expect((await send(g.port, 'FN.example.test', 'GET', '/healthz')).status).toBe(200)
    const api = await send(g.port, 'fn.example.test', 'GET', '/system/functions', auth)
    expect(api.status).toBe(404)
    expect(api.body).toContain('serves only functions')
  })

  it('any other host is the API, which serves no function', async () => {
    const call = await send(g.port, `127.0.0.1:${g.port}`, 'POST', '/function/echo', {}, 'hi')
    expect(call.status).toBe(404)
    expect(call.body).toContain('host fn.example.test')
    expect((await send(g.port, `127.0.0.1:${g.port}`, 'GET', '/system/functions', auth)).status).toBe(200)
  })
})

describe('configuration', () => {
  it('refuses a functions port equal to the API port, and a host with a port or scheme', () => {
    expect(() => loadConfig({ EDGEFAAS_PORT: '8080', EDGEFAAS_FUNCTIONS_PORT: '8080' })).toThrow(ConfigError)
    expect(() => loadConfig({ EDGEFAAS_FUNCTIONS_HOST: 'fn.example:8081' })).toThrow(
      /EDGEFAAS_FUNCTIONS_HOST/,
    )
    expect(() => loadConfig({ EDGEFAAS_FUNCTIONS_HOST: 'https://fn.example' })).toThrow(
      /EDGEFAAS_FUNCTIONS_HOST/,
    )
    expect(loadConfig({ EDGEFAAS_FUNCTIONS_HOST: 'FN.example' }).functionsHost).toBe('fn.example')
    expect(loadConfig({}).functionsPort).toBeUndefined()
  })
})
