/**
 * Routing by Host through a real Node gateway: `/system/domains` CRUD, a mapped host reaching its
 * function through the one invocation path (checked with the real curl binary), wildcard specificity,
 * 409s naming the owner, the annotation (faas-cli's way), /system/* never reachable on a function's
 * domain, unknown hosts unchanged, HTTP→HTTPS redirects.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const run = promisify(execFile)
let gw: TestGateway

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

/** A request as a socket delivers it, with the Host of a custom domain. */
const viaHost = (host: string, path: string, init: RequestInit = {}) =>
  gw.request(`http://${host}${path}`, { ...init, headers: { host, ...(init.headers as object) } })

async function deploy(service: string, annotations: Record<string, string> = {}) {
  const response = await api('POST', '/system/functions', {
    service,
    image: 'local/env',
    envProcess: 'env',
    envVars: { FN_NAME: service },
    annotations,
  })
  return response
}

beforeAll(async () => {
  gw = await startTestGateway({ EDGEFAAS_TLS_PORT: '0', EDGEFAAS_FUNCTIONS_HOST: 'fn.example.com' })
  for (const name of ['env', 'wide', 'narrow']) expect((await deploy(name)).status).toBe(202)
}, 60_000)
afterAll(async () => {
  await gw?.close()
})

describe('/system/domains', () => {
  it('creates a domain with a path prefix; curl with its Host reaches the function at the mapped path', async () => {
    const created = await api('POST', '/system/domains', {
      host: 'API.Example.com.',
      function: 'env',
      path: '/v1',
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({
      host: 'api.example.com',
      function: 'env',
      namespace: 'openfaas-fn',
      path: '/v1',
      tls: 'none',
      source: 'api',
      certificate: { state: 'none' },
    })
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      'Host: api.example.com',
      `${gw.url}/v1/hello?x=1`,
      '-w',
      '\\n%{http_code}',
    ])
    expect(stdout).toContain('FN_NAME=env')
    expect(stdout).toContain('Http_Path=/hello')
    expect(stdout).toContain('Http_Query=x=1')
    expect(stdout).toContain('Http_X_Forwarded_Host=api.example.com')
    expect(stdout.trim().endsWith('200')).toBe(true)
  })

  it('takes a FunctionIngress spec as it is (domain, functionNamespace, a path regex)', async () => {
    const created = await api('POST', '/system/domains', {
      domain: 'ingress.example.org',
      function: 'env',
      functionNamespace: 'openfaas-fn',
      path: '/v1/env/(.*)',
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ host: 'ingress.example.org', path: '/v1/env' })
    expect(await (await viaHost('ingress.example.org', '/v1/env/x')).text()).toContain('Http_Path=/x')
    expect((await api('DELETE', '/system/domains/ingress.example.org')).status).toBe(204)
  })

  it('normalises the Host (case, trailing dot, port) before matching', async () => {
    const response = await viaHost('API.EXAMPLE.COM.:8080', '/v1/')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('FN_NAME=env')
  })

  it('over a socket too, /function/* on a function domain is a path of the domain, never another function', async () => {
    // Node takes /function/* natively before the fetch handler; a mapped Host must still reach the domain.
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      'Host: api.example.com',
      `${gw.url}/function/wide`,
      '-w',
      '\\n%{http_code}',
    ])
    expect(stdout).not.toContain('FN_NAME=wide')
    expect(stdout.trim().endsWith('404')).toBe(true)
  })

  it('never serves the gateway API on a function domain', async () => {
    for (const path of ['/system/functions', '/system/info', '/ui/', '/healthz', '/function/env']) {
      const response = await viaHost('api.example.com', path, {
        headers: { authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}` },
      })
      expect(response.status, path).toBe(404)
      expect(await response.text()).toContain('api.example.com serves paths under /v1')
    }
    // Dot segments cannot climb out of the prefix either (sent raw, followed wherever they lead).
    const { stdout } = await run('curl', [
      '-sS',
      '-L',
      '--path-as-is',
      '-u',
      `${gw.user}:${gw.password}`,
      '-H',
      'Host: api.example.com',
      `${gw.url}/v1/../system/info`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
    ])
    expect(stdout).toBe('404')
  })

  it('a host already mapped is a 409 naming its owner', async () => {
    const again = await api('POST', '/system/domains', { host: 'api.example.com', function: 'wide' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('function "env" in namespace "openfaas-fn"')
    const moved = await api('PUT', '/system/domains/api.example.com', {
      namespace: 'other',
      function: 'wide',
    })
    expect(moved.status).toBe(409)
  })

  it('wildcards: the exact host wins, then the longest wildcard', async () => {
    expect((await api('POST', '/system/domains', { host: '*.example.com', function: 'wide' })).status).toBe(
      201,
    )
    expect(
      (await api('POST', '/system/domains', { host: '*.eu.example.com', function: 'narrow' })).status,
    ).toBe(201)
    const names = async (host: string) =>
      (await (await viaHost(host, '/v1/x')).text()).match(/FN_NAME=(\w+)/)?.[1]
    expect(await names('api.example.com')).toBe('env')
    expect(await names('www.example.com')).toBe('wide')
    expect(await names('shop.eu.example.com')).toBe('narrow')
    // The apex is not under *.example.com: it stays the gateway's.
    expect((await viaHost('example.com', '/healthz')).status).toBe(200)
    // Nor is the gateway's own functions origin (EDGEFAAS_FUNCTIONS_HOST), although the wildcard covers it.
    const origin = await viaHost('fn.example.com', '/function/env/o')
    expect(await origin.text()).toContain('Http_Path=/o')
    const taken = await api('POST', '/system/domains', { host: 'fn.example.com', function: 'env' })
    expect(taken.status).toBe(400)
    expect(await taken.text()).toContain('EDGEFAAS_FUNCTIONS_HOST')
  })

  it('another namespace cannot map a name under a wildcard it does not own', async () => {
    const ns = await api('POST', '/system/namespace/', { name: 'tenant-b' })
    expect([201, 202]).toContain(ns.status)
    for (const host of ['shop.example.com', '*.shop.example.com']) {
      const response = await api('POST', '/system/domains', { host, function: 'x', namespace: 'tenant-b' })
      expect(response.status, host).toBe(409)
      expect(await response.text()).toContain('falls under *.example.com, which is mapped to function "wide"')
    }
    const sameNamespace = await api('POST', '/system/domains', {
      host: 'shop.example.com',
      function: 'narrow',
    })
    expect(sameNamespace.status).toBe(201)
    expect((await api('DELETE', '/system/domains/shop.example.com')).status).toBe(204)
  })

  it('unknown hosts keep the gateway: the API behind auth, functions on their own origin', async () => {
    expect((await viaHost('gateway.internal', '/system/functions')).status).toBe(401)
    const refused = await viaHost('gateway.internal', '/function/env/a')
    expect(refused.status).toBe(404)
    expect(await refused.text()).toContain('own origin (host fn.example.com)')
  })

  it('reads, updates and deletes a domain; bad input is a 400 saying what to fix', async () => {
    const got = await api('GET', '/system/domains/API.example.com')
    expect(await got.json()).toMatchObject({ host: 'api.example.com', path: '/v1' })
    const changed = await api('PUT', '/system/domains/api.example.com', { path: '/', redirectHttps: true })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({ path: '/', redirectHttps: true })
    const redirected = await viaHost('api.example.com:8080', '/hello?q=1')
    expect(redirected.status).toBe(308)
    expect(redirected.headers.get('location')).toBe(`https://api.example.com:${gw.tlsPort}/hello?q=1`)
    const list = (await (await api('GET', '/system/domains')).json()) as Array<{ host: string }>
    expect(list.map((d) => d.host)).toEqual(['*.eu.example.com', '*.example.com', 'api.example.com'])

    for (const [body, message] of [
      [{ host: '10.0.0.1', function: 'env' }, 'must not be an IP address'],
      [{ host: 'x.example.org', function: 'Not_A_Name' }, 'function:'],
      [{ host: 'x.example.org', function: 'env', path: '/../x' }, 'path:'],
      [{ host: 'x.example.org', function: 'env', tls: 'acme' }, 'EDGEFAAS_ACME_DIRECTORY_URL'],
      [{ host: 'x.example.org', function: 'env', certificate: 'x' }, 'both certificate'],
      [{ host: 'x.example.org', function: 'env', extra: 1 }, 'validation failed'],
    ] as const) {
      const response = await api('POST', '/system/domains', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(await response.text()).toContain(message)
    }
    expect((await api('DELETE', '/system/domains/api.example.com')).status).toBe(204)
    expect((await api('GET', '/system/domains/api.example.com')).status).toBe(404)
    // Now under *.example.com.
    expect(await (await viaHost('api.example.com', '/')).text()).toContain('FN_NAME=wide')
  })

  it('answers ACME challenges only for tokens this store holds, and only on their own host', async () => {
    const token = 'tok_en-123'
    await gw.deps.store.putAcmeChallenge({
      token,
      host: 'acme.example.org',
      keyAuthorization: `${token}.thumbprint`,
      expiresAt: new Date(Date.now() + 60_000),
    })
    const answered = await viaHost('ACME.example.org', `/.well-known/acme-challenge/${token}`)
    expect(answered.status).toBe(200)
    expect(await answered.text()).toBe(`${token}.thumbprint`)
    // Another host, an unknown token, a malformed one, a POST: not answered (the usual routing, a 404).
    for (const [host, path, method] of [
      ['other.example.org', `/.well-known/acme-challenge/${token}`, 'GET'],
      ['acme.example.org', '/.well-known/acme-challenge/unknown', 'GET'],
      ['acme.example.org', '/.well-known/acme-challenge/a.b', 'GET'],
      ['acme.example.org', `/.well-known/acme-challenge/${token}`, 'POST'],
    ] as const) {
      const response = await viaHost(host, path, { method })
      expect(await response.text(), `${method} ${host}${path}`).not.toContain('thumbprint')
    }
    // Answered before a domain's HTTPS redirect: the CA validates over plain HTTP.
    await api('POST', '/system/domains', { host: 'acme.example.org', function: 'env', redirectHttps: true })
    expect((await viaHost('acme.example.org', `/.well-known/acme-challenge/${token}`)).status).toBe(200)
    expect((await viaHost('acme.example.org', '/x')).status).toBe(308)
  })

  it('a call through a domain to a function at zero replicas is held while it scales up, then served', async () => {
    const scaled = await api('POST', '/system/scale-function/narrow', { serviceName: 'narrow', replicas: 0 })
    expect(scaled.status).toBe(202)
    const response = await viaHost('shop.eu.example.com', '/cold')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('FN_NAME=narrow')
    const status = (await (await api('GET', '/system/function/narrow')).json()) as { replicas: number }
    expect(status.replicas).toBe(1)
  })

  it('calls through a domain are counted like any invocation', async () => {
    const metrics = await (await api('GET', '/metrics')).text()
    expect(metrics).toMatch(/gateway_function_invocation_total\{[^}]*function_name="wide\.openfaas-fn"/)
  })

  it('needs the admin credentials', async () => {
    const anonymous = await fetch(`${gw.url}/system/domains`)
    expect(anonymous.status).toBe(401)
  })
})

describe('the edgefaas.dev/domains annotation', () => {
  it('deploy claims its hosts, update drops the ones it no longer lists, delete drops them all', async () => {
    const created = await deploy('annotated', {
      'edgefaas.dev/domains': 'one.example.net/api, two.example.net',
    })
    expect(created.status).toBe(202)
    expect(await (await viaHost('one.example.net', '/api/x')).text()).toContain('FN_NAME=annotated')
    expect(await (await api('GET', '/system/domains/two.example.net')).json()).toMatchObject({
      function: 'annotated',
      source: 'annotation',
    })

    const updated = await api('PUT', '/system/functions', {
      service: 'annotated',
      image: 'local/env',
      envProcess: 'env',
      envVars: { FN_NAME: 'annotated' },
      annotations: { 'edgefaas.dev/domains': 'one.example.net' },
    })
    expect(updated.status).toBe(202)
    expect((await api('GET', '/system/domains/two.example.net')).status).toBe(404)
    expect(await (await api('GET', '/system/domains/one.example.net')).json()).toMatchObject({ path: '/' })

    const removed = await api('DELETE', '/system/functions', { functionName: 'annotated' })
    expect(removed.status).toBe(202)
    expect((await api('GET', '/system/domains/one.example.net')).status).toBe(404)
  })

  it('a host another function owns is a 409 and nothing is deployed', async () => {
    expect(
      (await api('POST', '/system/domains', { host: 'taken.example.net', function: 'env' })).status,
    ).toBe(201)
    const response = await deploy('thief', { 'edgefaas.dev/domains': 'free.example.net, taken.example.net' })
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('function "env" in namespace "openfaas-fn"')
    expect((await api('GET', '/system/function/thief')).status).toBe(404)
    // The host it could claim was given back.
    expect((await api('GET', '/system/domains/free.example.net')).status).toBe(404)
    const bad = await deploy('bad', { 'edgefaas.dev/domains': '127.0.0.1' })
    expect(bad.status).toBe(400)
  })
})
