// The Worker as a front door: it registers a Node edgefaas (started by test/harness/workerd-backends.ts)
// through its own /system/backends, keeps the backend in D1, deploys a function there and invokes it
// through fetch — the Worker reaching a real backend.
import { SELF } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import type {} from '../harness/provided-context.ts'

const auth = { authorization: `Basic ${btoa('admin:workerd-test-password')}` }
const api = (method: string, path: string, body?: unknown) =>
  SELF.fetch(`http://gateway.test${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('a front door in workerd', () => {
  it('registers a Node backend through the API, deploys to it and invokes the function', async () => {
    const { edgefaas } = inject('workerdBackends')
    const backend = `node-${crypto.randomUUID().slice(0, 8)}`
    const created = await api('POST', '/system/backends', {
      name: backend,
      kind: 'openfaas',
      url: edgefaas.url,
      credentials: { username: edgefaas.user, password: edgefaas.password },
      labels: { runtime: 'node' },
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const createdText = await created.text()
    expect(createdText).not.toContain(edgefaas.password)

    const shown = (await (await api('GET', `/system/backends/${backend}`)).json()) as {
      health: { reachable: boolean | null }
      credentials: { type: string }
    }
    expect(shown.health.reachable).toBe(true)
    expect(shown.credentials).toEqual({ type: 'basic' })

    const name = `wfd-${crypto.randomUUID().slice(0, 8)}`
    const deployed = await api('POST', '/system/functions', {
      service: name,
      image: 'functions/alpine:latest',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': 'selector:runtime=node' },
    })
    expect(deployed.status, await deployed.clone().text()).toBe(202)
    const rows = (await (await api('GET', `/system/deployments?name=${name}`)).json()) as Array<{
      backend: string
      status: string
    }>
    expect(rows).toMatchObject([{ backend, status: 'ready' }])

    // The function starts on the Node backend; the call is held until it is ready, then answered by it.
    const deadline = Date.now() + 20_000
    let response: Response
    for (;;) {
      response = await SELF.fetch(`http://gateway.test/function/${name}`, {
        method: 'POST',
        body: 'hello from workerd',
      })
      if (response.status === 200 || Date.now() > deadline) break
      await response.text()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('hello from workerd')

    const status = (await (await api('GET', `/system/function/${name}`)).json()) as { replicas: number }
    expect(status.replicas).toBe(1)

    const refused = await api('DELETE', `/system/backends/${backend}`)
    expect(refused.status).toBe(409)
    const removed = await api('DELETE', '/system/functions', { functionName: name })
    expect(removed.status).toBe(202)
    const deleted = await api('DELETE', `/system/backends/${backend}`)
    expect(deleted.status).toBe(204)
  })
})
