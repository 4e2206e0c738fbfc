// Custom domains on Workers: routing by Host works as on Node (TLS is the platform's, so there is no
// ACME and no upload), with the domain kept in D1 and the function on a real Node backend.
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

describe('custom domains in workerd', () => {
  it('routes a mapped Host to its function under the path prefix; TLS settings are refused', async () => {
    const { edgefaas } = inject('workerdBackends')
    const backend = `dom-${crypto.randomUUID().slice(0, 8)}`
    const created = await api('POST', '/system/backends', {
      name: backend,
      kind: 'openfaas',
      url: edgefaas.url,
      credentials: { username: edgefaas.user, password: edgefaas.password },
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const name = `wdom-${crypto.randomUUID().slice(0, 8)}`
    const host = `${name}.example.test`
    const deployed = await api('POST', '/system/functions', {
      service: name,
      image: 'functions/alpine:latest',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': backend, 'edgefaas.dev/domains': `${host}/api` },
    })
    expect(deployed.status, await deployed.clone().text()).toBe(202)
    const shown = (await (await api('GET', `/system/domains/${host}`)).json()) as Record<string, unknown>
    expect(shown).toMatchObject({ host, function: name, path: '/api', tls: 'none', source: 'annotation' })

    const deadline = Date.now() + 20_000
    let response: Response
    for (;;) {
      response = await SELF.fetch(`https://${host}/api/x`, { method: 'POST', body: 'via a domain' })
      if (response.status === 200 || Date.now() > deadline) break
      await response.text()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('via a domain')
    // The gateway's API is not on the function's domain.
    const system = await SELF.fetch(`https://${host}/system/functions`, { headers: auth })
    expect(system.status).toBe(404)

    const acme = await api('PUT', `/system/domains/${host}`, { tls: 'acme' })
    expect(acme.status).toBe(400)
    const upload = await api('PUT', `/system/domains/${host}/certificate`, {
      certificate: '-----BEGIN CERTIFICATE-----',
      privateKey: '-----BEGIN PRIVATE KEY-----',
    })
    expect(upload.status).toBe(501)

    expect((await api('DELETE', '/system/functions', { functionName: name })).status).toBe(202)
    expect((await api('GET', `/system/domains/${host}`)).status).toBe(404)
  })
})
