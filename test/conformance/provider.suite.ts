/**
 * @module
 * The conformance suite every Provider runs (local, faas-provider, Lambda, ECS): lifecycle, invocation,
 * scaling, removal and secrets, through the Provider interface only. Tests of a capability the provider
 * declares false are skipped. Waits poll with a deadline; nothing relies on fixed sleeps.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DesiredFunction, ObservedFunction, Provider, ProviderErrorCode } from '../../providers/types.ts'
import { ProviderError } from '../../providers/types.ts'

export type FunctionSpec = DesiredFunction['spec']

/** Function specs this backend can run, each with the behaviour of the certifier's functions. */
export interface ProviderSuiteDeployable {
  /** Answers its environment as `KEY=value` lines, like classic-watchdog `env`: `Http_Method`, `Http_Query`, `Http_Path`, envVars. */
  env: FunctionSpec
  /** Answers the request body unchanged, like classic-watchdog `cat`. */
  echo: FunctionSpec
  /** Answers 302 with `Location` set to its `destination` env var, like the certifier's redirector. */
  redirect: FunctionSpec
  /** Answers the bytes of secret `name`, like classic-watchdog `cat /var/openfaas/secrets/<name>`. */
  secret(name: string): FunctionSpec
}

export interface ProviderSuiteOptions {
  create(): Promise<Provider>
  deployable: ProviderSuiteDeployable
  namespace?: string
  /** Deadline for replicas to become available. Default 20 s. */
  readyTimeoutMs?: number
  /**
   * The backend serves a function at zero replicas itself (AWS Lambda runs it on demand): invoke answers
   * instead of throwing NOT_READY. Default false.
   */
  servesAtZero?: boolean
}

/** Polls `probe` until `done` accepts its value; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Awaits `promise` and checks it rejected with a ProviderError of `code`. */
export async function expectProviderError(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(ProviderError.is(error) ? error.code : error).toBe(code)
}

/** A Request as the gateway hands it over; `path` is what follows `/function/<name>`. */
export function functionRequest(name: string, path: string, init?: RequestInit): Request {
  return new Request(`http://gateway.test/function/${name}${path}`, init)
}

export function runProviderSuite(label: string, options: ProviderSuiteOptions): void {
  const namespace = options.namespace ?? 'openfaas-fn'
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000
  const { deployable } = options
  let provider: Provider
  let counter = 0
  const suffix = randomBytes(3).toString('hex')

  function desired(base: string, spec: FunctionSpec, extra: Partial<DesiredFunction> = {}): DesiredFunction {
    return {
      name: `${base}-${suffix}-${++counter}`,
      namespace,
      spec,
      replicas: 1,
      generation: 1,
      secrets: {},
      ...extra,
    }
  }

  function untilStatus(fn: DesiredFunction, expected: ObservedFunction): Promise<ObservedFunction | null> {
    const matches = (s: ObservedFunction | null) =>
      s?.replicas === expected.replicas && s.availableReplicas === expected.availableReplicas
    return waitFor(
      `${fn.name} status ${JSON.stringify(expected)}`,
      () => provider.status(namespace, fn.name),
      matches,
      readyTimeoutMs,
    )
  }

  async function deploy(fn: DesiredFunction): Promise<DesiredFunction> {
    const observed = await provider.apply(fn)
    expect(observed.replicas).toBe(fn.replicas)
    await untilStatus(fn, { replicas: fn.replicas, availableReplicas: fn.replicas })
    return fn
  }

  async function call(
    fn: DesiredFunction,
    path = '/',
    init?: RequestInit,
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await provider.invoke(namespace, fn.name, path, functionRequest(fn.name, path, init))
    return { status: response.status, text: await response.text(), headers: response.headers }
  }

  describe(`provider conformance: ${label}`, () => {
    beforeAll(async () => {
      provider = await options.create()
    })
    afterAll(async () => {
      await provider?.close()
    })

    it('describes itself', async () => {
      const info = await provider.info()
      expect(info.provider).not.toBe('')
      expect(info.orchestration).not.toBe('')
      expect(info.version.sha).not.toBe('')
      expect(info.version.release).not.toBe('')
    })

    it('checkSpec, where the backend has it, accepts every function it can run (the gateway would 400 them)', ({
      skip,
    }) => {
      if (!provider.checkSpec) return skip()
      for (const spec of [deployable.env, deployable.echo, deployable.redirect, deployable.secret('s')]) {
        expect(provider.checkSpec(spec)).toBeNull()
        // Pure: the same answer again, and the spec left as it was.
        const copy = structuredClone(spec)
        expect(provider.checkSpec(spec)).toBeNull()
        expect(spec).toEqual(copy)
      }
    })

    it('makes applied replicas available and reports an unknown function as null', async () => {
      const fn = await deploy(desired('env', deployable.env))
      expect(await provider.status(namespace, `missing-${suffix}`)).toBeNull()
      await expectProviderError(
        provider.invoke(namespace, `missing-${suffix}`, '/', functionRequest('missing', '/')),
        'NOT_FOUND',
      )
      await provider.remove(namespace, fn.name)
    })

    it('forwards GET, POST, PUT, PATCH and DELETE, the path, the query and envVars', async () => {
      const spec = {
        ...deployable.env,
        envVars: { ...deployable.env.envVars, custom_env: 'custom_env_value' },
      }
      const fn = await deploy(desired('verbs', spec))
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const body = method === 'GET' ? undefined : 'payload'
        const { status, text } = await call(fn, '/', { method, body })
        expect(status, method).toBe(200)
        expect(text).toContain(`Http_Method=${method}`)
      }
      const { text } = await call(fn, '/a/b/?testing=1')
      expect(text).toContain('Http_Query=testing=1')
      expect(text).toContain('Http_Path=/a/b/')
      expect(text).toContain('custom_env=custom_env_value')
      await provider.remove(namespace, fn.name)
    })

    it('passes a redirect through instead of following it', async () => {
      const spec = {
        ...deployable.redirect,
        envVars: { ...deployable.redirect.envVars, destination: 'http://example.com/' },
      }
      const fn = await deploy(desired('redirect', spec))
      const { status, headers } = await call(fn)
      expect(status).toBe(302)
      expect(headers.get('location')).toBe('http://example.com/')
      await provider.remove(namespace, fn.name)
    })

    it('echoes a 1 MB body intact', async () => {
      const fn = await deploy(desired('echo', deployable.echo))
      const payload = randomBytes(1024 * 1024)
      const response = await provider.invoke(
        namespace,
        fn.name,
        '/',
        functionRequest(fn.name, '/', { method: 'POST', body: payload }),
      )
      expect(response.status).toBe(200)
      expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true)
      await provider.remove(namespace, fn.name)
    })

    it('scales up, down, to zero and back', async ({ skip }) => {
      if (!provider.capabilities.scale) skip()
      const fn = await deploy(desired('scale', deployable.env))
      await provider.scale(namespace, fn.name, 3)
      await untilStatus(fn, { replicas: 3, availableReplicas: 3 })
      await provider.scale(namespace, fn.name, 1)
      await untilStatus(fn, { replicas: 1, availableReplicas: 1 })
      expect((await call(fn)).status).toBe(200)
      if (provider.capabilities.scaleToZero) {
        await provider.scale(namespace, fn.name, 0)
        await untilStatus(fn, { replicas: 0, availableReplicas: 0 })
        if (options.servesAtZero) expect((await call(fn)).status).toBe(200)
        else await expectProviderError(call(fn), 'NOT_READY')
        await provider.scale(namespace, fn.name, 2)
        await untilStatus(fn, { replicas: 2, availableReplicas: 2 })
        expect((await call(fn)).status).toBe(200)
      }
      await provider.remove(namespace, fn.name)
    })

    it('removes a function: status null, invoke and scale NOT_FOUND, removing again succeeds', async () => {
      const fn = await deploy(desired('remove', deployable.env))
      await provider.remove(namespace, fn.name)
      expect(await provider.status(namespace, fn.name)).toBeNull()
      expect(await provider.instances(namespace, fn.name)).toEqual([])
      await expectProviderError(call(fn), 'NOT_FOUND')
      await expectProviderError(provider.scale(namespace, fn.name, 1), 'NOT_FOUND')
      await provider.remove(namespace, fn.name)
    })

    it('mounts secrets and delivers an updated value after a redeploy', async ({ skip }) => {
      if (!provider.capabilities.secrets) skip()
      const secret = `secret-bytes-${suffix}`
      const first = Uint8Array.from([0, 1, 2, 253, 254, 255, 10])
      const fn = await deploy(
        desired(
          'secret',
          { ...deployable.secret(secret), secrets: [secret] },
          { secrets: { [secret]: first } },
        ),
      )
      const response = await provider.invoke(
        namespace,
        fn.name,
        '/',
        functionRequest(fn.name, '/', { method: 'POST' }),
      )
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(first))).toBe(true)
      const second = new TextEncoder().encode('second value')
      await provider.apply({
        ...fn,
        generation: 2,
        spec: { ...fn.spec, annotations: { 'secret-hash': '2' } },
        secrets: { [secret]: second },
      })
      await waitFor(
        'the updated secret',
        () => call(fn).catch(() => null),
        (r) => r?.text === 'second value',
        readyTimeoutMs,
      )
      await provider.remove(namespace, fn.name)
    })

    it('serves the logs of a function', async ({ skip }) => {
      if (!provider.capabilities.logs) skip()
      const fn = await deploy(desired('logs', deployable.echo))
      expect((await call(fn, '/', { method: 'POST', body: 'hello logs' })).text).toBe('hello logs')
      const names = await waitFor(
        'log lines',
        async () => {
          const seen: string[] = []
          for await (const message of provider.logs(
            { name: fn.name, namespace, follow: false },
            AbortSignal.timeout(5_000),
          )) {
            seen.push(message.name)
          }
          return seen
        },
        (seen) => seen.length > 0,
        readyTimeoutMs,
      )
      expect(new Set(names)).toEqual(new Set([fn.name]))
      await provider.remove(namespace, fn.name)
    })
  })
}
