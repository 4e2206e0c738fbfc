/**
 * @module
 * The classic watchdog as the local provider runs it: the CGI env, failures, exec_timeout, and the log
 * lines the OpenFaaS certifier looks for, read back through `logs()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { functionRequest, waitFor } from '../conformance/provider.suite.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { localProvider, removeDataDirs } from './local-helpers.ts'

const namespace = 'openfaas-fn'
let provider: LocalProvider
let counter = 0

function fn(envProcess: string, envVars?: Record<string, string>): DesiredFunction {
  const spec = envVars
    ? { image: 'functions/alpine', envProcess, envVars }
    : { image: 'functions/alpine', envProcess }
  return { name: `classic-${++counter}`, namespace, spec, replicas: 1, generation: 1, secrets: {} }
}

async function deploy(desired: DesiredFunction): Promise<DesiredFunction> {
  await provider.apply(desired)
  await waitFor(
    'ready',
    () => provider.status(namespace, desired.name),
    (s) => s?.availableReplicas === 1,
  )
  return desired
}

function invoke(desired: DesiredFunction, path = '/', init?: RequestInit): Promise<Response> {
  return provider.invoke(namespace, desired.name, path, functionRequest(desired.name, path, init))
}

async function logTexts(desired: DesiredFunction): Promise<string[]> {
  const texts: string[] = []
  for await (const message of provider.logs(
    { name: desired.name, namespace, follow: false },
    AbortSignal.timeout(5_000),
  )) {
    texts.push(message.text)
  }
  return texts
}

beforeAll(() => {
  provider = localProvider('none')
})
afterAll(async () => {
  await provider.close()
  removeDataDirs()
})

describe('local provider: classic watchdog', () => {
  it('runs the fprocess environment variable when envProcess is not set (faas-cli deploy --env fprocess=…)', async () => {
    const desired: DesiredFunction = {
      name: `classic-${++counter}`,
      namespace,
      spec: { image: 'functions/alpine', envVars: { fprocess: 'cat' } },
      replicas: 1,
      generation: 1,
      secrets: {},
    }
    await deploy(desired)
    const response = await invoke(desired, '/', { method: 'POST', body: 'hello cat' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('hello cat')
  })

  it('refuses a function with neither envProcess nor an fprocess variable, saying what to set', async () => {
    const desired: DesiredFunction = {
      name: `classic-${++counter}`,
      namespace,
      spec: { image: 'functions/alpine' },
      replicas: 1,
      generation: 1,
      secrets: {},
    }
    await expect(provider.apply(desired)).rejects.toThrow(
      /set envProcess \(fprocess\), or the fprocess environment variable/,
    )
  })

  it('checkSpec gives the gateway the same refusal before anything is written, and null once a process is given', () => {
    expect(provider.checkSpec?.({ image: 'functions/alpine' })).toMatch(
      /set envProcess \(fprocess\), or the fprocess environment variable, to the command to run \(faas-cli deploy --fprocess/,
    )
    expect(provider.checkSpec?.({ image: 'functions/alpine', envVars: { fprocess: '  ' } })).not.toBeNull()
    expect(provider.checkSpec?.({ image: 'functions/alpine', envVars: { fprocess: 'cat' } })).toBeNull()
    expect(provider.checkSpec?.({ image: 'functions/alpine', envProcess: 'cat' })).toBeNull()
    expect(provider.checkSpec?.({ image: 'x', envProcess: 'cat', envVars: { 'A=B': '1' } })).toMatch(
      /envVars names must be non-empty without "="/,
    )
  })

  it('gives the process the CGI env, with canonical header names and envVars', async () => {
    const desired = await deploy(fn('env', { custom_env: 'custom_env_value' }))
    const response = await invoke(desired, '/x/?testing=1', {
      method: 'PUT',
      body: 'abc',
      headers: { 'x-call-id': 'call-1', 'content-type': 'application/json', 'content-length': '3' },
    })
    const body = await response.text()
    expect(response.status).toBe(200)
    for (const line of [
      'Http_Method=PUT',
      'Http_Query=testing=1',
      'Http_Path=/x/',
      'Http_X_Call_Id=call-1',
      'custom_env=custom_env_value',
    ]) {
      expect(body).toContain(line)
    }
    expect(body).toContain('Http_Content_Type=application/json')
    expect(body).toContain('Http_ContentLength=3')
    expect(body).toMatch(/^Http_Host=127\.0\.0\.1:\d+$/m)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-duration-seconds')).toMatch(/^\d+\.\d{6}$/)
    expect((await invoke(desired)).headers.get('content-type')).toBe('text/plain')
  })

  it('answers 500 with the exit status and output when the process fails, and logs stderr', async () => {
    const desired = await deploy(fn(nodeCommand('fail.ts')))
    const response = await invoke(desired, '/', { method: 'POST', body: 'x' })
    expect(response.status).toBe(500)
    const body = await response.text()
    expect(body).toContain('exit status 3')
    expect(body).toContain('boom')
    await waitFor(
      'stderr in the logs',
      () => logTexts(desired),
      (texts) => texts.some((t) => t.includes('stderr: boom')),
    )
  })

  it('kills the process after exec_timeout and answers 408', async () => {
    const desired = await deploy(fn('sleep 30', { exec_timeout: '300ms' }))
    const started = Date.now()
    const response = await invoke(desired)
    expect(response.status).toBe(408)
    expect(await response.text()).toBe('Killed process.\n')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('logs "Forking fprocess." and "Wrote N Bytes" as the certifier expects', async () => {
    const desired = await deploy(fn('cat'))
    const response = await invoke(desired, '/', { method: 'POST', body: 'openfaas-fn' })
    expect(await response.text()).toBe('openfaas-fn')
    // The certifier strips leading digits, slashes, colons and spaces (the Go log timestamp) before matching.
    const stripped = (texts: string[]) => texts.map((text) => text.replace(/^[\d/: ]+/, ''))
    const texts = await waitFor(
      'log lines',
      async () => stripped(await logTexts(desired)),
      (t) => t.some((x) => x.startsWith('Wrote 11 Bytes')),
    )
    expect(texts.some((text) => text.startsWith('Forking fprocess'))).toBe(true)
    const [instance] = await provider.instances(namespace, desired.name)
    const all = provider.logs(
      { name: desired.name, namespace, follow: false, tail: 1 },
      AbortSignal.timeout(5_000),
    )
    const last = []
    for await (const message of all) last.push(message)
    expect(last).toHaveLength(1)
    expect(last[0]).toMatchObject({ name: desired.name, namespace, instance: instance?.id })
    expect(last[0]?.text).toMatch(/Wrote 11 Bytes - Duration: \d+\.\d{6}s\n$/)
    const future = provider.logs(
      { name: desired.name, namespace, follow: false, since: new Date(Date.now() + 60_000) },
      AbortSignal.timeout(5_000),
    )
    for await (const message of future) expect.unreachable(message.text)
  })

  it('follows new lines until the signal aborts', async () => {
    const desired = await deploy(fn('cat'))
    const abort = new AbortController()
    const iterator = provider
      .logs({ name: desired.name, namespace, follow: true, since: new Date() }, abort.signal)
      [Symbol.asyncIterator]()
    const next = iterator.next()
    await invoke(desired, '/', { method: 'POST', body: 'hi' })
    const first = await next
    expect(first.done).toBe(false)
    expect(first.value?.text).toContain('Forking fprocess.')
    abort.abort()
    for (;;) if ((await iterator.next()).done) break
  })

  it('ends a follower when the function is removed, and reports logs of unknown functions as NOT_FOUND', async () => {
    const desired = await deploy(fn('cat'))
    const follower = (async () => {
      let count = 0
      for await (const _ of provider.logs(
        { name: desired.name, namespace, follow: true },
        new AbortController().signal,
      ))
        count++
      return count
    })()
    await provider.remove(namespace, desired.name)
    expect(await follower).toBeGreaterThan(0)
    expect(() =>
      provider.logs({ name: desired.name, namespace, follow: false }, AbortSignal.timeout(1_000)),
    ).toThrow(/not deployed/)
  })
})
