/**
 * @module
 * The openfaas provider against a backend unlike edgefaas: a faas-memory-like server without namespaces
 * (test/harness/faas-memory.ts), for the quirks of contract §7 and §10 that a second edgefaas does not
 * show: PUT→404→POST, 200 vs 202, omitted zero fields, no namespaces, auth failures,
 * X-OpenFaaS-Internal, scale to zero refused or clamped, secrets and logs not served.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createOpenFaasProvider, isBackendInternalError } from '../../providers/openfaas/index.ts'
import type { OpenFaasProviderOptions } from '../../providers/openfaas/options.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { ProviderError } from '../../providers/types.ts'
import { HttpTransportError } from '../../src/http/client.ts'
import { createNodeHttpClient } from '../../src/runtime/node/http-client.ts'
import { expectProviderError, functionRequest, runProviderSuite } from '../conformance/provider.suite.ts'
import { type FaasMemory, type FaasMemoryOptions, startFaasMemory } from '../harness/faas-memory.ts'
import { freePort } from '../harness/free-port.ts'

const http = createNodeHttpClient()
const auth = { username: 'admin', password: 'memory-password' }
const ns = 'openfaas-fn'
const backends: FaasMemory[] = []

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()))
})
afterAll(() => http.close())

async function setup(options: FaasMemoryOptions = {}, provider: Partial<OpenFaasProviderOptions> = {}) {
  const backend = await startFaasMemory({ auth, ...options })
  backends.push(backend)
  return {
    backend,
    provider: createOpenFaasProvider({ url: backend.url, credentials: auth, http, ...provider }),
  }
}

function fn(name: string, image = 'env', extra: Partial<DesiredFunction> = {}): DesiredFunction {
  return { name, namespace: ns, spec: { image }, replicas: 1, generation: 1, secrets: {}, ...extra }
}

const calls = (backend: FaasMemory, path: string) =>
  backend.requests.filter((r) => r.path === path).map((r) => r.method)

describe('openfaas provider on a backend without namespaces', () => {
  for (const success of [200, 202] as const) {
    it(`deploys with PUT then POST on 404, updates with PUT alone (success ${success})`, async () => {
      const { backend, provider } = await setup({ success })
      expect(await provider.apply(fn('env'))).toEqual({ replicas: 1, availableReplicas: 1 })
      expect(calls(backend, '/system/functions')).toEqual(['PUT', 'POST'])
      await provider.apply(fn('env', 'env', { generation: 2, spec: { image: 'env', envVars: { a: '1' } } }))
      expect(calls(backend, '/system/functions')).toEqual(['PUT', 'POST', 'PUT'])
      expect(backend.functions.get('env')?.deployment.envVars).toEqual({ a: '1' })
      await provider.remove(ns, 'env')
      expect(backend.functions.has('env')).toBe(false)
    })
  }

  it('sends no namespace anywhere: not in bodies, queries or the function route', async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('quiet', 'env', { replicas: 2 }))
    await provider.scale(ns, 'quiet', 1)
    const response = await provider.invoke(ns, 'quiet', '/a?x=1', functionRequest('quiet', '/a?x=1'))
    expect(await response.text()).toContain('Http_Path=/a')
    await provider.remove(ns, 'quiet')
    for (const request of backend.requests) {
      expect(request.query.has('namespace'), `${request.method} ${request.path}`).toBe(false)
      expect(request.body).not.toContain('"namespace"')
    }
    expect(backend.requests.some((r) => r.path === '/function/quiet/a')).toBe(true)
    expect(backend.requests.find((r) => r.path === '/system/functions')?.query.toString()).toBe('')
  })

  it('refuses other namespaces with INVALID instead of merging them into its one (404 and [] alike)', async () => {
    for (const namespaces of ['404', 'empty'] as const) {
      const { backend, provider } = await setup({ namespaces })
      const error = await provider.apply({ ...fn('other'), namespace: 'staging' }).catch((e: unknown) => e)
      expect(ProviderError.is(error) && error.code).toBe('INVALID')
      expect((error as Error).message).toMatch(
        /has no namespaces .* "openfaas-fn"; .* "staging" must be placed/,
      )
      expect(backend.functions.size).toBe(0)
      expect(provider.capabilities.namespaces).toBe(false)
      // Nothing of that namespace can be there: absent to reads, removed already, NOT_FOUND to calls.
      expect(await provider.status('staging', 'other')).toBeNull()
      await provider.remove('staging', 'other')
      await expectProviderError(
        provider.invoke('staging', 'other', '/', functionRequest('other', '/')),
        'NOT_FOUND',
      )
    }
  })

  it('holds the default namespace in the one namespace of a backend that cannot create more', async () => {
    const { backend, provider } = await setup({ namespaces: ['fn'] })
    await provider.apply(fn('single'))
    const deploys = backend.requests.filter((r) => r.path === '/system/functions')
    expect(deploys.map((r) => [r.method, r.query.get('namespace'), JSON.parse(r.body).namespace])).toEqual([
      ['PUT', 'fn', 'fn'],
      ['POST', 'fn', 'fn'],
    ])
    expect(calls(backend, '/system/namespace/')).toEqual(['POST'])
    const response = await provider.invoke(ns, 'single', '/', functionRequest('single', '/'))
    expect(response.status).toBe(200)
    expect(backend.requests.at(-1)?.path).toBe('/function/single.fn/')
    expect(provider.capabilities.namespaces).toBe(false)
    const error = await provider.apply({ ...fn('elsewhere'), namespace: 'staging' }).catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('INVALID')
    expect((error as Error).message).toMatch(
      /"staging" does not exist on backend .* \(it has: fn\) and the backend cannot create namespaces/,
    )
  })

  it('serves another gateway namespace when told which one the backend holds', async () => {
    const { backend, provider } = await setup({}, { namespaces: { backend: null, serves: 'team-a' } })
    await provider.apply({ ...fn('teamed'), namespace: 'team-a' })
    expect(backend.functions.has('teamed')).toBe(true)
    await expectProviderError(provider.apply(fn('default-ns')), 'INVALID')
  })

  it('reads statuses whose zero replicas are omitted, and an unknown function as null', async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('zero'))
    await provider.scale(ns, 'zero', 0)
    const raw = await (
      await fetch(`${backend.url}/system/function/zero`, {
        headers: { authorization: `Basic ${Buffer.from('admin:memory-password').toString('base64')}` },
      })
    ).json()
    expect(raw).not.toHaveProperty('replicas')
    expect(raw).not.toHaveProperty('availableReplicas')
    expect(await provider.status(ns, 'zero')).toEqual({ replicas: 0, availableReplicas: 0 })
    expect(await provider.instances(ns, 'zero')).toEqual([])
    expect(await provider.status(ns, 'absent')).toBeNull()
    await provider.scale(ns, 'zero', 2)
    expect(await provider.instances(ns, 'zero')).toEqual([
      { id: 'zero-1', ready: true },
      { id: 'zero-2', ready: true },
    ])
  })

  it('applies a replica count the deploy did not set, through scale with serviceName', async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('three', 'env', { replicas: 3 }))
    expect(backend.functions.get('three')?.replicas).toBe(3)
    const scale = backend.requests.find((r) => r.path === '/system/scale-function/three')
    expect(JSON.parse(scale?.body ?? '{}')).toEqual({ serviceName: 'three', replicas: 3 })
  })

  it('throws NOT_READY at zero replicas and NOT_FOUND for an absent function, without reading the body', async () => {
    const { provider } = await setup()
    await provider.apply(fn('cold', 'echo', { replicas: 0 }))
    for (const [name, code] of [
      ['cold', 'NOT_READY'],
      ['absent', 'NOT_FOUND'],
    ] as const) {
      const body = new ReadableStream<Uint8Array>({
        start: (c) => c.enqueue(new TextEncoder().encode('kept')),
      })
      const request = { method: 'POST', headers: new Headers(), body, signal: new AbortController().signal }
      await expectProviderError(provider.invoke(ns, name, '/', request), code)
      expect(body.locked, `${name}: the body must still be unread`).toBe(false)
    }
  })

  it('notices a function the backend scaled down behind its back: NOT_READY for a call without a body', async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('shrunk'))
    expect((await provider.invoke(ns, 'shrunk', '/', functionRequest('shrunk', '/'))).status).toBe(200)
    const state = backend.functions.get('shrunk')
    if (state) state.replicas = 0
    // The readiness cache still says ready: the backend's own 503 (X-OpenFaaS-Internal) corrects it.
    await expectProviderError(provider.invoke(ns, 'shrunk', '/', functionRequest('shrunk', '/')), 'NOT_READY')
    await expectProviderError(provider.invoke(ns, 'shrunk', '/', functionRequest('shrunk', '/')), 'NOT_READY')
  })

  it("tells the backend's own errors (X-OpenFaaS-Internal) from the function's 5xx", async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('failing', 'fail'))
    await provider.apply(fn('cut-off', 'echo'))
    backend.unreachable.add('cut-off')
    const own = await provider.invoke(ns, 'failing', '/', functionRequest('failing', '/'))
    expect([own.status, await own.text(), isBackendInternalError(own)]).toEqual([
      500,
      'function failed',
      false,
    ])
    const post = { method: 'POST', body: 'x' }
    const internal = await provider.invoke(ns, 'cut-off', '/', functionRequest('cut-off', '/', post))
    expect(internal.status).toBe(500)
    expect(isBackendInternalError(internal)).toBe(true)
    expect(await internal.text()).toBe("Can't reach service for: cut-off.")
  })

  it('passes a gzip body on as sent, a redirect unfollowed, and no hop-by-hop headers', async () => {
    const { provider } = await setup()
    await provider.apply(fn('zipped', 'gzip'))
    await provider.apply(
      fn('moved', 'redirect', {
        spec: { image: 'redirect', envVars: { destination: 'http://example.com/x' } },
      }),
    )
    const zipped = await provider.invoke(ns, 'zipped', '/', functionRequest('zipped', '/'))
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe('hello gzip')
    expect(zipped.headers.has('connection')).toBe(false)
    expect(zipped.headers.has('keep-alive')).toBe(false)
    const moved = await provider.invoke(ns, 'moved', '/', functionRequest('moved', '/'))
    expect([moved.status, moved.headers.get('location')]).toEqual([302, 'http://example.com/x'])
  })

  it("sends its credentials on /system/* only; a caller's Authorization reaches the function unchanged", async () => {
    const { backend, provider } = await setup()
    await provider.apply(fn('authz'))
    const plain = await provider.invoke(ns, 'authz', '/', functionRequest('authz', '/'))
    expect(await plain.text()).toContain('Http_Authorization=\n')
    const init = { headers: { authorization: 'Bearer caller-token' } }
    const own = await provider.invoke(ns, 'authz', '/', functionRequest('authz', '/', init))
    expect(await own.text()).toContain('Http_Authorization=Bearer caller-token')
    expect(
      backend.requests
        .filter((r) => r.path.startsWith('/system/'))
        .every((r) => r.authorization?.startsWith('Basic ')),
    ).toBe(true)
  })

  it('says clearly when the backend refuses the credentials, and works with a bearer token', async () => {
    const { backend } = await setup()
    const wrong = createOpenFaasProvider({
      url: backend.url,
      credentials: { ...auth, password: 'nope' },
      http,
    })
    const error = await wrong.apply(fn('denied')).catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('INTERNAL')
    expect((error as Error).message).toMatch(
      /refused the credentials \(401: invalid credentials\); check the backend's username and password/,
    )
    const tokenBackend = await startFaasMemory({ auth: { token: 's3cr3t-token' } })
    backends.push(tokenBackend)
    const bearer = createOpenFaasProvider({
      url: tokenBackend.url,
      credentials: { token: 's3cr3t-token' },
      http,
    })
    await bearer.apply(fn('tokened'))
    expect(tokenBackend.functions.has('tokened')).toBe(true)
  })

  it('turns a backend that cannot be reached into UNAVAILABLE, nothing sent', async () => {
    const port = await freePort()
    const provider = createOpenFaasProvider({ url: `http://127.0.0.1:${port}`, http })
    const error = await provider.apply(fn('nowhere')).catch((e: unknown) => e)
    expect(ProviderError.is(error) && error.code).toBe('UNAVAILABLE')
    const cause = (error as Error).cause
    expect(HttpTransportError.is(cause) && cause.beforeSend).toBe(true)
  })

  it('gives up on a backend that does not answer: UNAVAILABLE after timeoutMs, or when the caller leaves', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
      const provider = createOpenFaasProvider({ url, http, timeoutMs: 200 })
      const error = await provider.status(ns, 'mute').catch((e: unknown) => e)
      expect(ProviderError.is(error) && error.code).toBe('UNAVAILABLE')
      expect((error as Error).message).toMatch(/did not answer GET \/system\/namespaces within 200 ms/)
      const patient = createOpenFaasProvider({ url, http })
      const controller = new AbortController()
      const reason = new Error('caller went away')
      const request = { method: 'GET', headers: new Headers(), body: null, signal: controller.signal }
      const pending = patient.invoke(ns, 'mute', '/', request)
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
    } finally {
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('declares scale to zero unsupported once the backend refuses it, or silently keeps a replica', async () => {
    for (const scaleToZero of ['refuse', 'clamp'] as const) {
      const { backend, provider } = await setup({ scaleToZero })
      await provider.apply(fn('warm'))
      expect(provider.capabilities.scaleToZero).toBe(true)
      await expectProviderError(provider.scale(ns, 'warm', 0), 'UNSUPPORTED')
      expect(provider.capabilities.scaleToZero).toBe(false)
      const sent = backend.requests.length
      await expectProviderError(provider.scale(ns, 'warm', 0), 'UNSUPPORTED')
      expect(backend.requests.length, 'known now: not asked again').toBe(sent)
    }
  })

  it('answers UNSUPPORTED for secrets and logs the backend does not serve, and says so in capabilities', async () => {
    const { provider } = await setup()
    const secret = new TextEncoder().encode('v')
    const withSecret = fn('secretive', 'env', {
      spec: { image: 'env', secrets: ['api-key'] },
      secrets: { 'api-key': secret },
    })
    await expectProviderError(provider.apply(withSecret), 'UNSUPPORTED')
    expect(provider.capabilities.secrets).toBe(false)
    await provider.apply(fn('logless'))
    const read = async () => {
      for await (const _ of provider.logs(
        { name: 'logless', namespace: ns, follow: false },
        AbortSignal.timeout(5_000),
      )) {
      }
    }
    await expectProviderError(read(), 'UNSUPPORTED')
    expect(provider.capabilities.logs).toBe(false)
  })

  it('writes secrets as rawValue under their own name, updating one that exists', async () => {
    const { backend, provider } = await setup({ secrets: true })
    const bytes = Uint8Array.from([0, 1, 254, 255])
    const desired = fn('keyed', 'env', {
      spec: { image: 'env', secrets: ['api-key'] },
      secrets: { 'api-key': bytes },
    })
    await provider.apply(desired)
    await provider.apply({
      ...desired,
      generation: 2,
      secrets: { 'api-key': new TextEncoder().encode('second') },
    })
    expect(calls(backend, '/system/secrets')).toEqual(['POST', 'POST', 'PUT'])
    expect(JSON.parse(backend.requests.find((r) => r.path === '/system/secrets')?.body ?? '')).toEqual({
      name: 'api-key',
      rawValue: 'AAH+/w==',
    })
    expect(backend.secrets.get('api-key')).toBe('second')
  })

  it("keeps this gateway's placement, domains and access settings out of the backend's annotations", async () => {
    const { backend, provider } = await setup()
    const annotations = {
      'edgefaas.dev/backends': 'a=50,b=50',
      'edgefaas.dev/domains': 'x.example.com',
      // Checked here; an edgefaas backend enforcing them would refuse the calls this gateway admitted.
      'edgefaas.dev/auth': 'token',
      'edgefaas.dev/rate-limit': '10/s',
      'edgefaas.dev/rate-limit-per-caller': '1/s',
      keep: 'me',
    }
    await provider.apply(fn('placed', 'env', { spec: { image: 'env', annotations } }))
    expect(backend.functions.get('placed')?.deployment.annotations).toEqual({ keep: 'me' })
    expect(backend.functions.get('placed')?.deployment.labels).toEqual({})
  })

  it('refuses a path with dot segments instead of letting it climb out of the function route', async () => {
    const { provider } = await setup()
    await provider.apply(fn('boxed'))
    for (const path of ['/../../system/functions', '/a/%2e%2e/%2E%2E/system/info', '/a%2fb']) {
      await expectProviderError(provider.invoke(ns, 'boxed', path, functionRequest('boxed', '/')), 'INVALID')
    }
  })

  it("reports the backend's provider from either /system/info shape", async () => {
    for (const info of ['gateway', 'provider'] as const) {
      const { provider } = await setup({ info })
      expect(await provider.info()).toEqual({
        provider: 'faas-memory',
        orchestration: 'memory',
        version: { sha: 'abc123', release: '0.1.0' },
      })
    }
  })

  it('refuses bad options with a message saying what to fix', () => {
    const make = (options: Partial<OpenFaasProviderOptions>) => () =>
      createOpenFaasProvider({ url: 'http://gw.example', http, ...options })
    expect(make({ url: 'ftp://gw.example' })).toThrow(/http:\/\/ or https:\/\//)
    expect(make({ url: 'http://admin:pw@gw.example' })).toThrow(/credentials \{ username, password \}/)
    expect(make({ credentials: { username: 'a:b', password: 'x' } })).toThrow(/without ":"/)
    expect(make({ credentials: { token: 'two words' } })).toThrow(/printable ASCII/)
    expect(make({ namespaces: { backend: null, serves: 'Bad_NS' } })).toThrow(/DNS-1123/)
  })
})

// The whole conformance suite on the backend without namespaces too (it serves neither secrets nor logs).
let suiteBackend: FaasMemory
runProviderSuite('openfaas → faas-memory-like backend without namespaces', {
  create: async () => {
    suiteBackend = await startFaasMemory({ auth, success: 200 })
    return createOpenFaasProvider({
      url: suiteBackend.url,
      credentials: auth,
      http,
      capabilities: { secrets: false, logs: false },
    })
  },
  deployable: {
    env: { image: 'env' },
    echo: { image: 'echo' },
    redirect: { image: 'redirect' },
    secret: () => ({ image: 'env' }),
  },
})
afterAll(() => suiteBackend?.close())
