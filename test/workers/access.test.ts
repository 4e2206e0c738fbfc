// Access control inside workerd: API tokens made and checked with Web Crypto over D1, a token-protected
// and rate-limited function on a Node backend (test/harness/workerd-backends.ts), the limit counted per
// isolate (the Workers default, docs/access.md), and a revoked token refused.
import { SELF } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import type {} from '../harness/provided-context.ts'

const basic = { authorization: `Basic ${btoa('admin:workerd-test-password')}` }
const api = (method: string, path: string, body?: unknown, auth: Record<string, string> = basic) =>
  SELF.fetch(`http://gateway.test${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('access control in workerd', () => {
  it('scoped tokens, invoke auth and a rate limit work on Workers', async () => {
    const made = await api('POST', '/system/tokens', {
      name: 'w',
      scopes: ['read', 'invoke'],
      namespaces: ['*'],
    })
    expect(made.status, await made.clone().text()).toBe(201)
    const { id, token } = (await made.json()) as { id: string; token: string }
    const bearer = { authorization: `Bearer ${token}` }
    expect((await api('GET', '/system/functions', undefined, bearer)).status).toBe(200)
    expect((await api('POST', '/system/functions', { service: 'x', image: 'y' }, bearer)).status).toBe(403)

    const { edgefaas } = inject('workerdBackends')
    const backend = `acc-${crypto.randomUUID().slice(0, 8)}`
    const created = await api('POST', '/system/backends', {
      name: backend,
      kind: 'openfaas',
      url: edgefaas.url,
      credentials: { username: edgefaas.user, password: edgefaas.password },
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const name = `acc-${crypto.randomUUID().slice(0, 8)}`
    const deployed = await api('POST', '/system/functions', {
      service: name,
      image: 'functions/alpine:latest',
      envProcess: 'cat',
      annotations: {
        'edgefaas.dev/backends': backend,
        'edgefaas.dev/auth': 'token',
        'edgefaas.dev/rate-limit': '3/m',
      },
    })
    expect(deployed.status, await deployed.clone().text()).toBe(202)

    const call = (headers: Record<string, string> = {}) =>
      SELF.fetch(`http://gateway.test/function/${name}`, { method: 'POST', body: 'hi', headers })
    const anonymous = await call()
    expect(anonymous.status).toBe(401)
    await anonymous.text()
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await call(bearer)
      statuses.push(response.status)
      await response.text()
    }
    expect(statuses).toEqual([200, 200, 200, 429])

    expect((await api('DELETE', `/system/tokens/${id}`)).status).toBe(204)
    expect((await api('GET', '/system/functions', undefined, bearer)).status).toBe(401)
    expect((await api('DELETE', '/system/functions', { functionName: name })).status).toBe(202)
  })
})
