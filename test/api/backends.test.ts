/**
 * `/system/backends` on a real Node gateway: create, list, get (with health and the function count),
 * replace, delete; validation that names the field; credentials sealed in the store and never shown; the
 * built-in `local` left alone; no deleting a backend that hosts functions; the default flag and unknown
 * backends at deploy. The backend registered is a second real edgefaas gateway.
 */

import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCredentials } from '../../src/backends/credentials.ts'
import type { BackendView } from '../../src/backends/record.ts'
import { freePort } from '../harness/free-port.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

let g: TestGateway
let x: TestGateway
let closedUrl: string

const json = { 'content-type': 'application/json' }
const authOf = (gw: TestGateway) => ({ authorization: `Basic ${btoa(`${gw.user}:${gw.password}`)}` })
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = json) =>
  fetch(`${g.url}${path}`, {
    method,
    headers: { ...authOf(g), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
const viewOf = async (response: Response) => (await response.json()) as BackendView
const listOf = async (response: Response) => (await response.json()) as BackendView[]
const backendX = () => ({
  name: 'x',
  kind: 'openfaas',
  url: x.url,
  credentials: { username: x.user, password: x.password },
  labels: { region: 'eu' },
})
const deploy = (service: string, annotations: Record<string, string> = {}) =>
  call('PUT', '/system/functions', {
    service,
    image: 'functions/alpine',
    envProcess: 'cat',
    annotations,
  }).then(async (r) =>
    r.status === 404
      ? call('POST', '/system/functions', {
          service,
          image: 'functions/alpine',
          envProcess: 'cat',
          annotations,
        })
      : r,
  )

beforeAll(async () => {
  ;[g, x] = await Promise.all([
    startTestGateway({ EDGEFAAS_ADMIN_PASSWORD: 'front-door-password' }),
    startTestGateway({ EDGEFAAS_ADMIN_PASSWORD: 'backend-x-password' }),
  ])
  closedUrl = `http://127.0.0.1:${await freePort()}`
}, 60_000)
afterAll(async () => {
  await g?.close()
  await x?.close()
})

describe('/system/backends', () => {
  it('is behind the default-deny auth', async () => {
    expect((await fetch(`${g.url}/system/backends`)).status).toBe(401)
    const post = await fetch(`${g.url}/system/backends`, { method: 'POST', headers: json, body: '{}' })
    expect(post.status).toBe(401)
  })

  it('lists the built-in local backend, which cannot be created, changed or deleted', async () => {
    const list = await listOf(await call('GET', '/system/backends'))
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'local', kind: 'local', builtin: true, default: false }),
    )
    const create = await call('POST', '/system/backends', { ...backendX(), name: 'local' })
    expect(create.status).toBe(409)
    expect(await create.text()).toMatch(/"local" is built into the gateway .* cannot be created/)
    const kind = await call('POST', '/system/backends', { ...backendX(), name: 'mine', kind: 'local' })
    expect(kind.status).toBe(400)
    expect(await kind.text()).toMatch(/kind: local is the built-in backend .* cannot be created/)
    const { name: _name, ...unnamed } = backendX()
    expect((await call('PUT', '/system/backends/local', unnamed)).status).toBe(409)
    const remove = await call('DELETE', '/system/backends/local')
    expect(remove.status).toBe(409)
    expect(await remove.text()).toMatch(/cannot be deleted/)
  })

  it('creates, lists, gets with health, replaces and deletes a backend, never showing its credentials', async () => {
    const created = await call('POST', '/system/backends', backendX())
    expect(created.status).toBe(201)
    const body = await created.text()
    expect(body).not.toContain(x.password)
    expect(JSON.parse(body)).toMatchObject({
      name: 'x',
      kind: 'openfaas',
      url: x.url,
      labels: { region: 'eu' },
      default: false,
      builtin: false,
      credentials: { type: 'basic' },
      functions: 0,
      // No call has gone to it from this gateway yet.
      traffic: { state: null, consecutiveFailures: 0, ejectedUntil: null, inflight: 0 },
    })

    const again = await call('POST', '/system/backends', backendX())
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('change it with PUT /system/backends/x')

    const one = await call('GET', '/system/backends/x')
    expect(one.status).toBe(200)
    const shown = await viewOf(one)
    expect(shown.health).toMatchObject({ reachable: true, lastError: null })
    expect(Date.parse(shown.health.lastSeen ?? '')).toBeGreaterThan(Date.now() - 60_000)

    const list = await call('GET', '/system/backends')
    const listText = await list.text()
    expect(listText).not.toContain(x.password)
    expect(JSON.parse(listText).map((b: { name: string }) => b.name)).toEqual(['local', 'x'])

    // Replace without credentials keeps them (they cannot be sent back: they are never shown).
    const { credentials: _omitted, ...withoutCredentials } = backendX()
    const replaced = await call('PUT', '/system/backends/x', {
      ...withoutCredentials,
      labels: { region: 'us' },
    })
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ labels: { region: 'us' }, credentials: { type: 'basic' } })
    expect((await viewOf(await call('GET', '/system/backends/x'))).health.reachable).toBe(true)

    // Switching to a bearer token, then to none.
    const bearer = await call('PUT', '/system/backends/x', {
      ...backendX(),
      credentials: { token: 'tok-123' },
    })
    expect(await bearer.json()).toMatchObject({ credentials: { type: 'bearer' } })
    const none = await call('PUT', '/system/backends/x', { ...backendX(), credentials: null })
    expect((await viewOf(none)).credentials).toBeUndefined()
    expect((await call('PUT', '/system/backends/x', backendX())).status).toBe(200)

    expect((await call('DELETE', '/system/backends/x')).status).toBe(204)
    expect((await call('GET', '/system/backends/x')).status).toBe(404)
    expect((await call('DELETE', '/system/backends/x')).status).toBe(404)
  })

  it('keeps credentials sealed in the store, bound to the backend, and opens them only with the key', async () => {
    expect((await call('POST', '/system/backends', { ...backendX(), name: 'sealed' })).status).toBe(201)
    const db = new DatabaseSync(join(g.dataDir, 'edgefaas.db'), { readOnly: true })
    try {
      const row = db.prepare('SELECT * FROM backends WHERE name = ?').get('sealed') as Record<string, unknown>
      const raw = JSON.stringify(row)
      expect(raw).not.toContain(x.password)
      expect(raw).not.toContain(btoa(`${x.user}:${x.password}`))
      expect(String(row.credentials)).toMatch(/^v1:[A-Za-z0-9+/]+=*$/)
      const cipher = g.deps.cipher
      if (!cipher) throw new Error('the gateway has a cipher on Node')
      expect(await openCredentials(cipher, 'sealed', String(row.credentials))).toEqual({
        username: x.user,
        password: x.password,
      })
      // Bound to its name: the same sealed value does not open as another backend's.
      await expect(openCredentials(cipher, 'other', String(row.credentials))).rejects.toThrow()
    } finally {
      db.close()
    }
    expect((await call('DELETE', '/system/backends/sealed')).status).toBe(204)
  })

  it('reports an unreachable backend with its last error', async () => {
    const created = await call('POST', '/system/backends', { ...backendX(), name: 'gone', url: closedUrl })
    expect(created.status).toBe(201)
    const shown = await viewOf(await call('GET', '/system/backends/gone'))
    expect(shown.health).toMatchObject({ reachable: false, lastSeen: null })
    expect(shown.health.lastError).toMatch(/ECONNREFUSED|refused|connect/i)
    expect((await call('DELETE', '/system/backends/gone')).status).toBe(204)
  })

  it.each([
    ['no name', { kind: 'openfaas', url: 'https://a.example' }, /name: is required/],
    [
      'a bad name',
      { name: 'EU West', kind: 'openfaas', url: 'https://a.example' },
      /name: must be a DNS-1123 label/,
    ],
    ['no url', { name: 'a', kind: 'openfaas' }, /url: is required/],
    ['a non-http url', { name: 'a', kind: 'openfaas', url: 'ftp://a.example' }, /url: must start with http/],
    [
      'credentials in the url',
      { name: 'a', kind: 'openfaas', url: 'https://admin:pw@a.example' },
      /url: must not hold credentials/,
    ],
    [
      'a query in the url',
      { name: 'a', kind: 'openfaas', url: 'https://a.example/?x=1' },
      /url: must not have a query/,
    ],
    [
      'an unknown kind',
      { name: 'a', kind: 'nomad', url: 'https://a.example' },
      /kind: must be one of: openfaas, lambda, ecs/,
    ],
    [
      'both kinds of credentials',
      {
        name: 'a',
        kind: 'openfaas',
        url: 'https://a.example',
        credentials: { username: 'u', password: 'p', token: 't' },
      },
      /credentials: give either username and password, or token/,
    ],
    [
      'a username without password',
      { name: 'a', kind: 'openfaas', url: 'https://a.example', credentials: { username: 'u' } },
      /credentials: must be \{"username"/,
    ],
    [
      'a label key that is no label',
      { name: 'a', kind: 'openfaas', url: 'https://a.example', labels: { 'a,b': 'x' } },
      /labels: keys must be label keys/,
    ],
    [
      'a misspelt field',
      { name: 'a', kind: 'openfaas', url: 'https://a.example', lables: { region: 'eu' } },
      /body: Unrecognized key: "lables"/,
    ],
    [
      'a provider option it cannot use',
      {
        name: 'a',
        kind: 'openfaas',
        url: 'https://a.example',
        options: { namespaces: { backend: 'fn', serves: 'Not Valid' } },
      },
      /namespaces\.serves must be a DNS-1123 label/,
    ],
  ])('refuses %s with 400 naming the field', async (_what, body, message) => {
    const response = await call('POST', '/system/backends', body)
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(message)
  })

  it('refuses a body not labelled JSON (415), and an unknown name (404)', async () => {
    expect((await call('POST', '/system/backends', JSON.stringify(backendX()), {})).status).toBe(415)
    expect((await call('GET', '/system/backends/nope')).status).toBe(404)
    expect((await call('PUT', '/system/backends/nope', backendX())).status).toBe(400) // name mismatch first
    const { name: _n, ...unnamed } = backendX()
    expect((await call('PUT', '/system/backends/nope', unnamed)).status).toBe(404)
    expect((await call('PATCH', '/system/backends/nope', unnamed)).status).toBe(405)
  })

  it('keeps stored credentials from following the backend to another server', async () => {
    expect((await call('POST', '/system/backends', { ...backendX(), name: 'moving' })).status).toBe(201)
    const { credentials: _c, ...rest } = backendX()
    const moved = await call('PUT', '/system/backends/moving', {
      ...rest,
      name: 'moving',
      url: 'https://elsewhere.example',
    })
    expect(moved.status).toBe(400)
    expect(await moved.text()).toMatch(
      /credentials: the url now points to another server; give the credentials again/,
    )
    expect((await call('DELETE', '/system/backends/moving')).status).toBe(204)
  })
})

describe('placement on registered backends', () => {
  beforeAll(async () => {
    expect((await call('POST', '/system/backends', backendX())).status).toBe(201)
  })

  it('refuses a deploy naming unknown backends, naming them and listing the known ones', async () => {
    const response = await deploy('nowhere', { 'edgefaas.dev/backends': 'x=50,mars=50' })
    expect(response.status).toBe(400)
    expect(await response.text()).toBe(
      'validation failed: unknown backend "mars" in edgefaas.dev/backends; known backends: local, x (add one with POST /system/backends)\n',
    )
  })

  it('refuses to delete a backend that hosts functions, naming them', async () => {
    expect((await deploy('hosted', { 'edgefaas.dev/backends': 'x' })).status).toBe(202)
    const shown = await viewOf(await call('GET', '/system/backends/x'))
    expect(shown.functions).toBe(1)
    const refused = await call('DELETE', '/system/backends/x')
    expect(refused.status).toBe(409)
    expect(await refused.text()).toMatch(
      /backend "x" still hosts 1 function: hosted\.openfaas-fn; place them elsewhere/,
    )
    const removed = await call('DELETE', '/system/functions', { functionName: 'hosted' })
    expect(removed.status).toBe(202)
    expect((await call('GET', '/system/backends/x')).status).toBe(200)
  })

  it('sends functions without the annotation to the backend marked default; one default at a time', async () => {
    expect((await call('PUT', '/system/backends/x', { ...backendX(), default: true })).status).toBe(200)
    expect((await deploy('to-default')).status).toBe(202)
    const fn = await g.deps.store.getFunction('openfaas-fn', 'to-default')
    expect(fn?.placement).toEqual(['x'])

    const second = await call('POST', '/system/backends', { ...backendX(), name: 'y', default: true })
    expect(second.status).toBe(201)
    const flags = (await listOf(await call('GET', '/system/backends'))).map((b) => `${b.name}:${b.default}`)
    expect(flags).toEqual(['local:false', 'x:false', 'y:true'])
    expect(
      (await call('PUT', '/system/backends/y', { ...backendX(), name: 'y', default: false })).status,
    ).toBe(200)
    expect((await deploy('back-to-local')).status).toBe(202)
    expect((await g.deps.store.getFunction('openfaas-fn', 'back-to-local'))?.placement).toEqual(['local'])
  })

  it('places by label selector, and refuses one that matches nothing', async () => {
    expect((await deploy('by-label', { 'edgefaas.dev/backends': 'selector:region=eu' })).status).toBe(202)
    expect((await g.deps.store.getFunction('openfaas-fn', 'by-label'))?.placement).toEqual(['x', 'y'])
    const none = await deploy('no-match', { 'edgefaas.dev/backends': 'selector:region=mars' })
    expect(none.status).toBe(400)
    expect(await none.text()).toMatch(/no backend matches selector:region=mars .* x \(region=eu\)/)
  })
})
