/**
 * @module
 * HTTP-mode functions on the local provider: readiness by ready path or deadline, restart after a
 * crash, round-robin balancing, and responses that stream through unbuffered and undecoded.
 */
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { functionRequest, waitFor } from '../conformance/provider.suite.ts'
import { deployReady, httpFunction, localProvider, namespace, removeDataDirs } from './local-helpers.ts'

let provider: LocalProvider

beforeAll(() => {
  provider = localProvider('none')
})
afterAll(async () => {
  await provider.close()
  removeDataDirs()
})

function invoke(desired: DesiredFunction, path: string, init?: RequestInit): Promise<Response> {
  return provider.invoke(namespace, desired.name, path, functionRequest(desired.name, path, init))
}

async function text(desired: DesiredFunction, path: string): Promise<string> {
  return (await invoke(desired, path)).text()
}

describe('local provider: HTTP mode', () => {
  it('restarts a process that crashed, under the same instance id', async () => {
    const desired = await deployReady(provider, httpFunction())
    const [before] = await provider.instances(namespace, desired.name)
    const boot = await text(desired, '/boot')
    expect(await text(desired, '/crash')).toBe('bye')
    await waitFor(
      'a new process',
      () => text(desired, '/boot').catch(() => boot),
      (id) => id !== boot,
    )
    const [after] = await provider.instances(namespace, desired.name)
    expect(after?.id).toBe(before?.id)
    expect(after?.pid).not.toBe(before?.pid)
  })

  it('waits for the ready path before counting a replica available', async () => {
    const desired = httpFunction({ READY_DELAY_MS: '1000' })
    expect(await provider.apply(desired)).toEqual({ replicas: 1, availableReplicas: 0 })
    const started = Date.now()
    await waitFor(
      'ready',
      () => provider.status(namespace, desired.name),
      (s) => s?.availableReplicas === 1,
    )
    expect(Date.now() - started).toBeGreaterThan(500)
  })

  it('restarts a replica that is not ready by the deadline', async () => {
    const impatient = localProvider('none', 300)
    const desired = httpFunction({ READY_DELAY_MS: '60000' })
    await impatient.apply(desired)
    const restarted = async () => {
      const lines: string[] = []
      const request = { name: desired.name, namespace, follow: false }
      for await (const message of impatient.logs(request, AbortSignal.timeout(2_000)))
        lines.push(message.text)
      return lines
    }
    await waitFor('a restart', restarted, (lines) => lines.some((l) => l.includes('not ready after 300 ms')))
    expect(await impatient.status(namespace, desired.name)).toEqual({ replicas: 1, availableReplicas: 0 })
    await impatient.close()
  })

  it('balances calls round-robin across ready replicas', async () => {
    const desired = await deployReady(provider, httpFunction({}, 2))
    const boots = new Set([await text(desired, '/boot'), await text(desired, '/boot')])
    expect(boots.size).toBe(2)
  })

  it('streams a server-sent event before the response ends, and passes gzip bodies through untouched', async () => {
    const desired = await deployReady(provider, httpFunction())
    const response = await invoke(desired, '/sse', { headers: { accept: 'text/event-stream' } })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    const first = await reader.read()
    expect(decoder.decode(first.value)).toContain('data: first')
    // The function holds the rest back until this second call: the first event cannot have been buffered.
    expect(await text(desired, '/release')).toBe('released')
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += decoder.decode(chunk.value)
    expect(rest).toContain('data: last')
    const gzip = await invoke(desired, '/gzip')
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe('hello gzip')
  })
})
