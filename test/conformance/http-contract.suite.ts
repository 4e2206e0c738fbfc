/**
 * The OpenFaaS REST contract, as faas-cli, the UI and the certifier exercise it, run against any way of
 * reaching the gateway: in-process (the gateway's `request`, no socket), a real Node server, and inside workerd. Request bodies
 * are the shapes faas-cli sends (contract §1.6, §6.2). Uses only Web APIs so it runs in every runtime.
 */
import { beforeAll, describe, expect, it } from 'vitest'

export interface HttpTarget {
  /** Sends a request with a path relative to the gateway root. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  credentials: { user: string; password: string }
  /** False where no backend can run functions (workerd today): deploys stay pending. */
  runsFunctions: boolean
}

export function runHttpContractSuite(label: string, setup: () => Promise<HttpTarget>): void {
  describe(`HTTP contract: ${label}`, () => {
    let target: HttpTarget
    let auth: string
    // Names unique per run so the suite can share one store with other suites.
    const tag = Math.random().toString(36).slice(2, 8)
    const fn = (base: string) => `${base}-${tag}`

    beforeAll(async () => {
      target = await setup()
      auth = `Basic ${btoa(`${target.credentials.user}:${target.credentials.password}`)}`
    })

    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      target.fetch(path, {
        method,
        redirect: 'manual',
        headers: {
          authorization: auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
    const json = async <T>(res: Response): Promise<T> => {
      expect(res.headers.get('content-type')).toMatch(/application\/json/)
      return (await res.json()) as T
    }
    type Status = Record<string, unknown> & {
      name: string
      labels: Record<string, string>
      replicas?: number
    }

    /** faas-cli deploy: PUT first, POST when the PUT answers 404 (contract 1.5.3). */
    async function faasCliDeploy(body: Record<string, unknown>): Promise<number> {
      const put = await call('PUT', '/system/functions', body)
      if (put.status !== 404) return put.status
      await put.text()
      const post = await call('POST', '/system/functions', body)
      await post.text()
      return post.status
    }

    describe('auth', () => {
      it('login check: GET /system/functions with the admin credentials is 200', async () => {
        const res = await call('GET', '/system/functions')
        expect(res.status).toBe(200)
        expect(await res.json()).toBeInstanceOf(Array)
      })

      it.each([
        ['no header', undefined],
        ['the empty bearer token faas-cli sends without a login', 'Bearer '],
        ['a wrong password', `Basic ${btoa('admin:wrong-password')}`],
        ['a wrong user', () => `Basic ${btoa(`someone:${target.credentials.password}`)}`],
        ['a malformed header', 'Basic %%%'],
      ])('401 with WWW-Authenticate for %s', async (_, header) => {
        const value = typeof header === 'function' ? header() : header
        const res = await target.fetch(
          '/system/functions',
          value ? { headers: { authorization: value } } : {},
        )
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="Restricted"')
        expect(await res.text()).toBe('invalid credentials\n')
      })

      it.each([
        '/system/info',
        '/system/secrets',
        '/system/namespaces',
        '/ui/',
        '/system/unknown-route',
        '/system/deployments',
      ])('default-deny: %s needs credentials', async (path) => {
        const res = await target.fetch(path)
        expect(res.status).toBe(401)
      })

      it('public: /healthz and the / redirect need no credentials', async () => {
        const health = await target.fetch('/healthz')
        expect(health.status).toBe(200)
        const root = await target.fetch('/', { redirect: 'manual' })
        expect(root.status).toBe(307)
        expect(root.headers.get('location')).toBe('/ui/')
      })

      it('a doubled slash is redirected to the clean path (gorilla/mux behaviour)', async () => {
        for (const path of ['//system/functions', '/system//functions']) {
          const res = await target.fetch(path, { redirect: 'manual' })
          expect(res.status, path).toBe(301)
          expect(res.headers.get('location'), path).toBe('/system/functions')
        }
      })

      it('unclean paths never get around auth', async () => {
        // URL parsers in fetch and workerd resolve dot segments before the gateway sees them; either way
        // the answer is a redirect to the clean path or the 401 the clean path gets, never a 200.
        for (const path of [
          '/x/../system/functions',
          '/%2e%2e/system/info',
          '/function/../system/info',
          '//ui/',
        ]) {
          const res = await target.fetch(path, { redirect: 'manual' })
          expect([301, 401], path).toContain(res.status)
          if (res.status === 301) expect(res.headers.get('location'), path).toMatch(/^\/(system|ui)\//)
        }
      })

      it('encoded separators are refused', async () => {
        for (const path of [
          '/system%2ffunctions',
          '/function/a%2F..%2F..%2Fsystem%2Finfo',
          '/system/info%5c',
        ]) {
          const res = await target.fetch(path)
          expect(res.status, path).toBe(400)
        }
      })
    })

    describe('info, namespaces, routing', () => {
      it('faas-cli version: /system/info has non-empty provider and gateway versions', async () => {
        const info = await json<{
          provider: { provider: string; orchestration: string; version: { sha: string; release: string } }
          version: { sha: string; release: string }
          arch: string
        }>(await call('GET', '/system/info'))
        expect(Object.keys(info)).toEqual(['provider', 'version', 'arch'])
        expect(info.provider.provider).not.toBe('')
        expect(info.provider.orchestration).not.toBe('')
        expect(info.provider.version.release).not.toBe('')
        expect(info.provider.version.sha).not.toBe('')
        expect(info.version.release).not.toBe('')
        expect(info.version.sha).not.toBe('')
        expect(info.arch).not.toBe('')
      })

      it('faas-cli namespaces: the default namespace is listed', async () => {
        const list = await json<string[]>(await call('GET', '/system/namespaces'))
        expect(list).toContain('openfaas-fn')
      })

      it('namespace CRUD as go-sdk sends it', async () => {
        const name = fn('ns')
        const create = await call('POST', '/system/namespace/', {
          name,
          labels: { openfaas: '1' },
          annotations: { openfaas: '1' },
        })
        expect(create.status).toBe(201)
        expect((await call('POST', '/system/namespace/', { name, labels: { openfaas: '1' } })).status).toBe(
          409,
        )
        const got = await json<{ name: string; labels: Record<string, string> }>(
          await call('GET', `/system/namespace/${name}`),
        )
        expect(got).toMatchObject({ name, labels: { openfaas: '1' } })
        expect(await json<string[]>(await call('GET', '/system/namespaces'))).toContain(name)
        const update = await call('PUT', `/system/namespace/${name}`, {
          name,
          labels: { openfaas: '1', team: 'a' },
        })
        expect(update.status).toBe(202)
        expect(
          (await json<{ labels: Record<string, string> }>(await call('GET', `/system/namespace/${name}`)))
            .labels.team,
        ).toBe('a')
        expect(
          (await call('DELETE', `/system/namespace/${name}`, { name, labels: { openfaas: '1' } })).status,
        ).toBe(202)
        expect((await call('GET', `/system/namespace/${name}`)).status).toBe(404)
        expect((await call('DELETE', `/system/namespace/${name}`, { name })).status).toBe(404)
      })

      it('a namespace with functions cannot be deleted; the default one never', async () => {
        const ns = fn('busy')
        expect((await call('POST', '/system/namespace/', { name: ns })).status).toBe(201)
        const service = fn('inner')
        expect(
          (
            await call('POST', '/system/functions', {
              service,
              image: 'img',
              envProcess: 'cat',
              namespace: ns,
            })
          ).status,
        ).toBe(202)
        const refused = await call('DELETE', `/system/namespace/${ns}`, { name: ns })
        expect(refused.status).toBe(409)
        expect(await refused.text()).toMatch(/remove them first/)
        expect(
          (await call('DELETE', '/system/functions', { functionName: service, namespace: ns })).status,
        ).toBe(202)
        expect((await call('DELETE', `/system/namespace/${ns}`, { name: ns })).status).toBe(202)
        expect((await call('DELETE', '/system/namespace/openfaas-fn', { name: 'openfaas-fn' })).status).toBe(
          400,
        )
      })

      it('unknown routes are 404 "404 page not found"; known paths with other methods are 405', async () => {
        const missing = await call('GET', '/system/nothing-here')
        expect(missing.status).toBe(404)
        expect(await missing.text()).toBe('404 page not found\n')
        for (const [method, path] of [
          ['PATCH', '/system/functions'],
          ['POST', '/system/info'],
          ['GET', '/system/scale-function/x'],
          ['PATCH', '/system/secrets'],
        ] as const) {
          const res = await call(method, path)
          expect(res.status, `${method} ${path}`).toBe(405)
        }
      })
    })

    describe('functions', () => {
      it('faas-cli deploy → list → describe → remove, with the bodies faas-cli sends', async () => {
        const name = fn('env')
        const deploy = {
          service: name,
          image: 'ghcr.io/openfaas/alpine:latest',
          envProcess: 'env',
          labels: {},
          annotations: {},
        }
        expect(await faasCliDeploy(deploy)).toBe(202)

        const list = await json<Status[]>(await call('GET', '/system/functions'))
        const item = list.find((f) => f.name === name)
        expect(item).toBeDefined()
        expect(item).toMatchObject({
          name,
          image: deploy.image,
          namespace: 'openfaas-fn',
          envProcess: 'env',
          replicas: 1,
        })
        expect(item?.labels).toEqual({ faas_function: name })
        expect(item?.annotations).toEqual({})
        for (const absent of ['envVars', 'limits', 'requests', 'constraints', 'secrets', 'invocationCount']) {
          expect(item, absent).not.toHaveProperty(absent)
        }
        expect(item?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

        const describeRes = await call('GET', `/system/function/${name}?namespace=openfaas-fn&usage=1`)
        const described = await json<Status>(describeRes)
        expect(described).toMatchObject({ name, image: deploy.image, namespace: 'openfaas-fn' })
        const keys = Object.keys(described)
        expect(keys.indexOf('createdAt')).toBeGreaterThan(keys.indexOf('annotations'))

        // A second deploy of the same function is a rolling update: PUT answers 202.
        const again = await call('PUT', '/system/functions', { ...deploy, envVars: { a: 'b' } })
        expect(again.status).toBe(202)
        expect((await json<Status>(await call('GET', `/system/function/${name}`))).envVars).toEqual({
          a: 'b',
        })

        const remove = await call('DELETE', '/system/functions', {
          functionName: name,
          namespace: 'openfaas-fn',
        })
        expect(remove.status).toBe(202)
        expect((await call('GET', `/system/function/${name}`)).status).toBe(404)
        const removeAgain = await call('DELETE', '/system/functions', { functionName: name })
        expect(removeAgain.status).toBe(404)
      })

      it('old clients: namespace in the query for DELETE and scale; null labels and annotations', async () => {
        const name = fn('legacy')
        const res = await call('POST', '/system/functions', {
          service: name,
          image: 'functions/alpine:latest',
          envProcess: 'cat',
          labels: null,
          annotations: null,
        })
        expect(res.status).toBe(202)
        const status = await json<Status>(await call('GET', `/system/function/${name}?namespace=openfaas-fn`))
        expect(status.labels).toEqual({ faas_function: name })
        expect(status.annotations).toEqual({})
        const scale = await call('POST', `/system/scale-function/${name}?namespace=openfaas-fn`, {
          serviceName: name,
          replicas: 0,
        })
        expect(scale.status).toBe(202)
        expect(
          await json<Status>(await call('GET', `/system/function/${name}?namespace=openfaas-fn`)),
        ).not.toHaveProperty('replicas')
        const del = await call('DELETE', '/system/functions?namespace=openfaas-fn', { functionName: name })
        expect(del.status).toBe(202)
      })

      it('the certifier metadata case: labels, annotations with JSON, limits reported back', async () => {
        const name = fn('meta')
        const annotations = { 'important-date': 'Fri 7 Jan 2022', 'some-json': '{\n  "key": "value"\n}' }
        const body = {
          service: name,
          image: 'functions/alpine:latest',
          envProcess: 'env',
          labels: { canary_build: 'true' },
          annotations,
          limits: { memory: '5Mi', cpu: '100m' },
        }
        expect((await call('POST', '/system/functions', body)).status).toBe(202)
        const status = await json<Status>(await call('GET', `/system/function/${name}`))
        expect(status.labels).toEqual({ canary_build: 'true', faas_function: name })
        expect(status.annotations).toEqual(annotations)
        expect(status.limits).toEqual({ memory: '5Mi', cpu: '100m' })
        expect(status).not.toHaveProperty('requests')
        await call('DELETE', '/system/functions', { functionName: name })
      })

      it('com.openfaas.scale.min=2 shows replicas: 2 immediately', async () => {
        const name = fn('min')
        const body = {
          service: name,
          image: 'functions/alpine:latest',
          envProcess: 'cat',
          labels: { 'com.openfaas.scale.min': '2' },
        }
        expect((await call('POST', '/system/functions', body)).status).toBe(202)
        expect((await json<Status>(await call('GET', `/system/function/${name}`))).replicas).toBe(2)
        await call('DELETE', '/system/functions', { functionName: name })
      })

      it('name.namespace in the path of /system/function', async () => {
        const name = fn('dotted')
        expect(
          (await call('POST', '/system/functions', { service: name, image: 'img', envProcess: 'cat' }))
            .status,
        ).toBe(202)
        expect((await call('GET', `/system/function/${name}.openfaas-fn`)).status).toBe(200)
        await call('DELETE', '/system/functions', { functionName: name })
      })

      it('namespaces scope functions', async () => {
        const ns = fn('scope')
        await call('POST', '/system/namespace/', { name: ns })
        const name = fn('scoped')
        expect(
          (
            await call('POST', '/system/functions', {
              service: name,
              image: 'img',
              envProcess: 'cat',
              namespace: ns,
            })
          ).status,
        ).toBe(202)
        const inNs = await json<Status[]>(await call('GET', `/system/functions?namespace=${ns}`))
        expect(inNs.map((f) => f.name)).toEqual([name])
        expect(inNs[0]?.namespace).toBe(ns)
        const inDefault = await json<Status[]>(await call('GET', '/system/functions'))
        expect(inDefault.map((f) => f.name)).not.toContain(name)
        expect((await call('GET', `/system/function/${name}`)).status).toBe(404)
        await call('DELETE', '/system/functions', { functionName: name, namespace: ns })
        await call('DELETE', `/system/namespace/${ns}`, { name: ns })
      })

      it('GET /system/deployments reports where each backend stands', async () => {
        const name = fn('dep')
        expect(
          (await call('POST', '/system/functions', { service: name, image: 'img', envProcess: 'cat' }))
            .status,
        ).toBe(202)
        const rows = await json<
          Array<{ function: string; backend: string; status: string; generation: number }>
        >(await call('GET', `/system/deployments?name=${name}`))
        expect(rows).toHaveLength(1)
        expect(rows[0]?.function).toBe(name)
        expect(rows[0]?.generation).toBeGreaterThan(0)
        if (target.runsFunctions) expect(rows[0]?.status).toBe('ready')
        else expect(rows[0]?.status).toBe('pending')
        await call('DELETE', '/system/functions', { functionName: name })
      })
    })

    describe('bad input gets a clear 4xx', () => {
      const cases: Array<[string, string, string, unknown, number, RegExp]> = [
        [
          'malformed JSON',
          'POST',
          '/system/functions',
          '{"service": ',
          400,
          /failed to unmarshal request: the body is not valid JSON/,
        ],
        ['an empty body', 'POST', '/system/functions', '', 400, /the body is empty/],
        ['a JSON array', 'PUT', '/system/functions', '[]', 400, /expected a JSON object/],
        [
          'a missing service',
          'POST',
          '/system/functions',
          { image: 'x' },
          400,
          /validation failed: service: is required/,
        ],
        [
          'a missing image',
          'POST',
          '/system/functions',
          { service: 'x' },
          400,
          /validation failed: image: is required/,
        ],
        [
          'a wrong type',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', envVars: { a: 1 } },
          400,
          /validation failed: envVars\.a/,
        ],
        // A field of the wrong type is named as such, not as missing.
        [
          'a number as service',
          'POST',
          '/system/functions',
          { service: 5, image: 'y' },
          400,
          /validation failed: service: must be a string$/m,
        ],
        [
          'a number as image, a string as secrets',
          'PUT',
          '/system/functions',
          { service: 'x', image: 7, secrets: 'one' },
          400,
          /validation failed: image: must be a string; secrets: must be a list of strings$/m,
        ],
        [
          'a number as functionName',
          'DELETE',
          '/system/functions',
          { functionName: 5 },
          400,
          /functionName: must be a string$/m,
        ],
        [
          'replicas as a string',
          'POST',
          '/system/scale-function/x',
          { serviceName: 'x', replicas: '2' },
          400,
          /replicas: must be a number$/m,
        ],
        [
          'a number as secret name',
          'POST',
          '/system/secrets',
          { name: 5, value: 'v' },
          400,
          /name: must be a string$/m,
        ],
        [
          'an invalid name',
          'POST',
          '/system/functions',
          { service: 'Bad_Name', image: 'y' },
          400,
          /must be a valid DNS entry/,
        ],
        [
          'an unknown namespace',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', namespace: 'nope-nope' },
          400,
          /namespace "nope-nope" does not exist/,
        ],
        [
          'an invalid namespace',
          'GET',
          '/system/functions?namespace=NOPE!',
          undefined,
          400,
          /namespace is invalid/,
        ],
        [
          'a bad scale label',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', labels: { 'com.openfaas.scale.min': 'two' } },
          400,
          /com\.openfaas\.scale\.min must be a whole number/,
        ],
        // Settings the gateway acts on: in the wrong place or with an unusable value, a 400 naming the key.
        [
          'a retry setting given as a label',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', labels: { 'com.openfaas.retry.attempts': '3' } },
          400,
          /com\.openfaas\.retry\.attempts is read from annotations, not labels/,
        ],
        [
          'a retry setting that is not a number',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'com.openfaas.retry.attempts': 'lots' } },
          400,
          /annotation com\.openfaas\.retry\.attempts must be a whole number/,
        ],
        [
          'retry codes that are not status codes (on update too)',
          'PUT',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'com.openfaas.retry.codes': '5xx' } },
          400,
          /annotation com\.openfaas\.retry\.codes must be/,
        ],
        [
          'a retry wait that is not a duration',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'com.openfaas.retry.max_wait': 'soon' } },
          400,
          /annotation com\.openfaas\.retry\.max_wait must be a duration/,
        ],
        [
          'a timeout that is not a duration',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'edgefaas.dev/timeout': 'forever' } },
          400,
          /annotation edgefaas\.dev\/timeout must be a positive duration/,
        ],
        [
          'a queue name with odd characters',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'com.openfaas.queue': 'Slow Queue!' } },
          400,
          /annotation com\.openfaas\.queue must be a queue name/,
        ],
        [
          'a scale label given as an annotation',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'com.openfaas.scale.min': '2' } },
          400,
          /com\.openfaas\.scale\.min is read from labels, not annotations/,
        ],
        [
          'placement given as a label',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', labels: { 'edgefaas.dev/backends': 'local=100' } },
          400,
          /edgefaas\.dev\/backends is read from annotations, not labels/,
        ],
        [
          'min above max',
          'POST',
          '/system/functions',
          {
            service: 'x',
            image: 'y',
            labels: { 'com.openfaas.scale.min': '3', 'com.openfaas.scale.max': '2' },
          },
          400,
          /must not exceed/,
        ],
        [
          'a missing secret',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', secrets: ['not-there'] },
          400,
          /unable to fetch secrets: secret "not-there" not found/,
        ],
        [
          'an unknown backend',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'edgefaas.dev/backends': 'mars=100' } },
          400,
          /unknown backend "mars"/,
        ],
        [
          'a bad placement',
          'POST',
          '/system/functions',
          { service: 'x', image: 'y', annotations: { 'edgefaas.dev/backends': 'a=b=c' } },
          400,
          /edgefaas\.dev\/backends must look like/,
        ],
        [
          'PUT of a missing function',
          'PUT',
          '/system/functions',
          { service: 'never-deployed', image: 'y' },
          404,
          /function "never-deployed" not found/,
        ],
        [
          'an empty functionName',
          'DELETE',
          '/system/functions',
          { functionName: '' },
          400,
          /functionName: is required/,
        ],
        [
          'negative replicas',
          'POST',
          '/system/scale-function/x',
          { serviceName: 'x', replicas: -1 },
          400,
          /replicas: must not be negative/,
        ],
        [
          'fractional replicas',
          'POST',
          '/system/scale-function/x',
          { serviceName: 'x', replicas: 1.5 },
          400,
          /replicas: must be a whole number/,
        ],
        [
          'missing replicas',
          'POST',
          '/system/scale-function/x',
          { serviceName: 'x' },
          400,
          /replicas: is required/,
        ],
        [
          'a mismatched serviceName',
          'POST',
          '/system/scale-function/x',
          { serviceName: 'y', replicas: 1 },
          400,
          /must match/,
        ],
        [
          'scaling a missing function',
          'POST',
          '/system/scale-function/ghost',
          { serviceName: 'ghost', replicas: 1 },
          404,
          /function "ghost" not found/,
        ],
        [
          'a secret without a value',
          'POST',
          '/system/secrets',
          { name: 'k' },
          400,
          /value or rawValue is required/,
        ],
        [
          'a secret with bad base64',
          'POST',
          '/system/secrets',
          { name: 'k', rawValue: '***' },
          400,
          /rawValue: must be base64/,
        ],
        [
          'a secret with a path in its name',
          'POST',
          '/system/secrets',
          { name: '../etc', value: 'v' },
          400,
          /validation failed: name/,
        ],
        [
          'updating a missing secret',
          'PUT',
          '/system/secrets',
          { name: 'absent-secret', value: 'v' },
          404,
          /secret "absent-secret" not found/,
        ],
        [
          'an invalid namespace name',
          'POST',
          '/system/namespace/',
          { name: 'UPPER' },
          400,
          /namespace name is invalid/,
        ],
      ]
      it.each(cases)('%s', async (_, method, path, body, status, message) => {
        const res = await call(method, path, body)
        expect(res.status).toBe(status)
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
        expect(await res.text()).toMatch(message)
      })

      it('input is never echoed back', async () => {
        const res = await call('POST', '/system/functions', '{"service":"<script>alert(1)</script>"')
        expect(await res.text()).not.toContain('<script>')
        const res2 = await call('POST', '/system/functions', { service: '<script>', image: 'y' })
        expect(await res2.text()).not.toContain('<script>')
      })

      it('an oversized body is refused with 413', async () => {
        const huge = JSON.stringify({
          service: 'x',
          image: 'y',
          annotations: { a: 'x'.repeat(3 * 1024 * 1024) },
        })
        const res = await call('POST', '/system/functions', huge)
        expect(res.status).toBe(413)
        expect(await res.text()).toMatch(/larger than the limit/)
      })

      it('browser rules on every runtime: a JSON body needs its type (415), another site may not write (403)', async () => {
        const body = { service: fn('csrf'), image: 'y', envProcess: 'cat' }
        const plain = await call('POST', '/system/functions', body, { 'content-type': 'text/plain' })
        expect(plain.status).toBe(415)
        expect(await plain.text()).toContain("-H 'Content-Type: application/json'")
        const crossSite: Array<Record<string, string>> = [
          { origin: 'https://attacker.example' },
          { 'sec-fetch-site': 'cross-site' },
        ]
        for (const headers of crossSite) {
          const res = await call('POST', '/system/functions', body, headers)
          expect(res.status).toBe(403)
          await res.text()
        }
        const missing = await call('GET', `/system/function/${fn('csrf')}`)
        expect(missing.status).toBe(404)
        await missing.text()
      })

      it('a duplicate POST is 409 and says how to update', async () => {
        const name = fn('dup')
        expect(
          (await call('POST', '/system/functions', { service: name, image: 'y', envProcess: 'cat' })).status,
        ).toBe(202)
        const res = await call('POST', '/system/functions', { service: name, image: 'y' })
        expect(res.status).toBe(409)
        expect(await res.text()).toMatch(/already exists.*PUT/)
        await call('DELETE', '/system/functions', { functionName: name })
      })
    })

    describe('secrets', () => {
      it('faas-cli secret create / list / update / remove', async () => {
        const name = fn('api-key')
        // --from-file sets both value and rawValue; rawValue wins.
        const create = await call('POST', '/system/secrets', {
          name,
          namespace: 'openfaas-fn',
          value: 'ignored',
          rawValue: btoa('s3cr3t'),
        })
        expect(create.status).toBe(202)
        expect(
          (await call('POST', '/system/secrets', { name, namespace: 'openfaas-fn', value: 'x' })).status,
        ).toBe(409)
        const list = await json<Array<Record<string, string>>>(
          await call('GET', '/system/secrets?namespace=openfaas-fn'),
        )
        const entry = list.find((s) => s.name === name)
        expect(entry).toEqual({ name, namespace: 'openfaas-fn' })
        expect(
          (await call('PUT', '/system/secrets', { name, namespace: 'openfaas-fn', value: 'new' })).status,
        ).toBe(202)
        expect((await call('DELETE', '/system/secrets', { name, namespace: 'openfaas-fn' })).status).toBe(202)
        expect((await call('DELETE', '/system/secrets', { name, namespace: 'openfaas-fn' })).status).toBe(404)
        const after = await json<Array<{ name: string }>>(await call('GET', '/system/secrets'))
        expect(after.map((s) => s.name)).not.toContain(name)
      })

      it('secrets are scoped by namespace', async () => {
        const ns = fn('sec-ns')
        await call('POST', '/system/namespace/', { name: ns })
        const name = fn('scoped-secret')
        expect((await call('POST', '/system/secrets', { name, namespace: ns, value: 'v' })).status).toBe(202)
        expect(
          (await json<Array<{ name: string }>>(await call('GET', '/system/secrets'))).map((s) => s.name),
        ).not.toContain(name)
        expect(
          (await json<Array<{ name: string }>>(await call('GET', `/system/secrets?namespace=${ns}`))).map(
            (s) => s.name,
          ),
        ).toEqual([name])
        const deploy = await call('POST', '/system/functions', {
          service: fn('uses'),
          image: 'y',
          secrets: [name],
        })
        expect(deploy.status).toBe(400)
        await call('DELETE', '/system/secrets', { name, namespace: ns })
        await call('DELETE', `/system/namespace/${ns}`, { name: ns })
      })
    })
  })
}
