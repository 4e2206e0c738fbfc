/**
 * A function the backend refused (here: no `envProcess` on the local backend) cannot become ready by
 * waiting, so a call to it is answered at once with 503 and the backend's error, not held until the
 * scale-from-zero timeout. A function that is merely starting is still held and then served, and a
 * refused function that is fixed serves again. The API now refuses such a deploy with 400
 * (test/api/deploy-backend-check.test.ts), so the refused function is written to the store directly, as
 * a release before that check stored it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

let g: TestGateway
let auth: Record<string, string>

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: '20000' })
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}`, 'content-type': 'application/json' }
})
afterAll(() => g.close())

async function send(method: 'POST' | 'PUT', body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${g.url}/system/functions`, { method, headers: auth, body: JSON.stringify(body) })
  expect(res.status, await res.text()).toBe(202)
}

async function timedInvoke(name: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now()
  const res = await fetch(`${g.url}/function/${name}`, { method: 'POST', body: 'hi' })
  const text = await res.text()
  return { status: res.status, text, ms: Date.now() - started }
}

describe('invoking a function whose last apply failed', () => {
  it('answers 503 with the backend error at once, instead of holding the call', async () => {
    await g.deps.store.createFunction({
      namespace: 'openfaas-fn',
      name: 'broken',
      spec: { image: 'ghcr.io/example/broken:latest', labels: {}, annotations: {} },
      replicas: 1,
      placement: ['local'],
    })
    await g.deps.reconciler.reconcileWithin('openfaas-fn', 'broken', 5000)
    const rows = (await (
      await fetch(`${g.url}/system/deployments?name=broken`, { headers: auth })
    ).json()) as Array<{
      status: string
    }>
    expect(rows[0]?.status).toBe('error')

    const call = await timedInvoke('broken')
    expect(call.status).toBe(503)
    expect(call.text).toMatch(/function broken\.openfaas-fn cannot start: .*set envProcess/)
    expect(call.ms).toBeLessThan(5_000)
  })

  it('serves again once the function is fixed', async () => {
    await send('PUT', { service: 'broken', image: 'ghcr.io/example/broken:latest', envProcess: 'cat' })
    const call = await timedInvoke('broken')
    expect(call.status, call.text).toBe(200)
    expect(call.text).toBe('hi')
  })

  it('still holds a call to a function that is merely starting, then serves it', async () => {
    await send('POST', {
      service: 'slow-start',
      image: 'x',
      envProcess: nodeCommand('http-server.ts'),
      envVars: { mode: 'http', READY_DELAY_MS: '1500' },
      annotations: { 'com.openfaas.ready.http.path': '/_/ready' },
    })
    const call = await timedInvoke('slow-start')
    expect(call.status, call.text).toBe(200)
    expect(JSON.parse(call.text)).toMatchObject({ method: 'POST', bodyBytes: 2 })
  })
})
