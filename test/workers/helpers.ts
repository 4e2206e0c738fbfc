// Shared by the workerd tests that drive the Worker through its API (SELF) with a Node backend behind it.
import { SELF } from 'cloudflare:test'
import { expect, inject } from 'vitest'
import type {} from '../harness/provided-context.ts'

export const auth = { authorization: `Basic ${btoa('admin:workerd-test-password')}` }

export const api = (method: string, path: string, body?: unknown) =>
  SELF.fetch(`http://gateway.test${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it is true, failing with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Registers the Node edgefaas of workerd-backends.ts as a backend with a label only this test selects. */
export async function registerNodeBackend(): Promise<{ backend: string; selector: string }> {
  const { edgefaas } = inject('workerdBackends')
  const tag = crypto.randomUUID().slice(0, 8)
  const backend = `node-${tag}`
  const created = await api('POST', '/system/backends', {
    name: backend,
    kind: 'openfaas',
    url: edgefaas.url,
    credentials: { username: edgefaas.user, password: edgefaas.password },
    labels: { suite: tag },
  })
  expect(created.status, await created.text()).toBe(201)
  return { backend, selector: `selector:suite=${tag}` }
}

/** Deploys the flaky fixture (fails its first `failTimes` tries per call) and waits until it answers. */
export async function deployFlaky(
  name: string,
  selector: string,
  failTimes: string,
  method: 'POST' | 'PUT' = 'POST',
): Promise<void> {
  const { commands } = inject('workerdBackends')
  const res = await api(method, '/system/functions', {
    service: name,
    image: 'flaky',
    envProcess: commands.flaky,
    envVars: { mode: 'http', FAIL_TIMES: failTimes },
    annotations: {
      'edgefaas.dev/backends': selector,
      'com.openfaas.retry.attempts': '2',
      'com.openfaas.retry.min_wait': '20ms',
      'com.openfaas.retry.max_wait': '100ms',
    },
  })
  expect(res.status, await res.text()).toBe(202)
  await until(`${name} ready`, async () => {
    const status = (await (await api('GET', `/system/function/${name}`)).json()) as {
      availableReplicas?: number
    }
    return (status.availableReplicas ?? 0) > 0
  })
}

export interface Received {
  headers: Record<string, string>
  body: string
}

/** The callbacks the Node receiver got for `id`. */
export async function callbacksOf(id: string): Promise<Received[]> {
  const { callbacks } = inject('workerdBackends')
  return (await (await fetch(`${callbacks.received}?id=${encodeURIComponent(id)}`)).json()) as Received[]
}
