/**
 * The operations pages' server side against a real gateway (backends, domains, async calls, dead
 * letters, secrets, namespaces): the same auth and token scopes as the API they read (a read token sees
 * no secret names and cannot replay), the cross-site check on every write and no write on GET, hostile
 * data (call ids, request bodies, labels) shown as text, secret values never in a page, and the API's
 * refusals shown as its own message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, basic, createToken, deployEcho } from '../access/helpers.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

let g: TestGateway
/** Visible ASCII without a slash: a valid X-Call-Id that is markup if printed raw. */
const HOSTILE_ID = `x"'><i>pwn</i`.replace('/', '')
const HOSTILE_TEXT = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
const SECRET_VALUE = 'v3ry-s3cret-value-never-shown'

const page = (path: string, headers: Record<string, string> = { authorization: basic(g) }) =>
  g.request(path, { headers })

const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  g.request(path, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      authorization: basic(g),
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  })

/** The flash message the redirect set (the page after it shows it). */
const flashOf = (res: Response) =>
  decodeURIComponent(/edgefaas_flash=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '')

async function deadLetterOf(id: string): Promise<void> {
  await pollUntil(
    `dead letter ${id}`,
    async () => (await admin(g, 'GET', `/system/dead-letters/${encodeURIComponent(id)}`)).status === 200,
  )
}

beforeAll(async () => {
  g = await startTestGateway({ EDGEFAAS_RETRY_MIN_WAIT_MS: '50', EDGEFAAS_RETRY_MAX_WAIT_MS: '100' })
  await deployEcho(g, 'broken', 'openfaas-fn', { 'com.openfaas.retry.attempts': '0' }, 'false')
  const submitted = await fetch(`${g.url}/async-function/broken`, {
    method: 'POST',
    headers: { 'x-call-id': HOSTILE_ID, 'content-type': 'text/plain' },
    body: HOSTILE_TEXT,
  })
  expect(submitted.status).toBe(202)
  await deadLetterOf(HOSTILE_ID)
  expect((await admin(g, 'POST', '/system/secrets', { name: 'api-key', value: SECRET_VALUE })).status).toBe(
    202,
  )
  expect(
    (await admin(g, 'POST', '/system/namespace/', { name: 'team-b', labels: { note: HOSTILE_TEXT } })).status,
  ).toBe(201)
}, 90_000)
afterAll(async () => g?.close())

describe('operations pages', () => {
  it('render for the admin and ask for credentials like /system', async () => {
    for (const path of [
      '/ui/backends',
      '/ui/backends/local',
      '/ui/domains',
      '/ui/async',
      '/ui/dead-letters',
      '/ui/secrets',
      '/ui/namespaces',
    ]) {
      const res = await page(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'")
      expect((await page(path, {})).status, path).toBe(401)
    }
    expect((await page('/ui/backends/nope')).status).toBe(404)
    expect(await (await page('/ui/backends/nope')).text()).toContain('backend &quot;nope&quot; not found')
  })

  it('show hostile ids, bodies and labels as text', async () => {
    const encoded = encodeURIComponent(HOSTILE_ID)
    for (const path of [
      '/ui/async',
      `/ui/async/${encoded}`,
      '/ui/dead-letters',
      `/ui/dead-letters/${encoded}`,
      '/ui/namespaces',
    ]) {
      const body = await (await page(path)).text()
      expect(body, path).not.toContain('<i>pwn')
      expect(body, path).not.toContain('<script>alert(1)')
      expect(body, path).not.toContain('<img src=x')
    }
    const letter = await (await page(`/ui/dead-letters/${encoded}`)).text()
    expect(letter).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(letter).toContain('x&quot;&#39;&gt;&lt;i&gt;pwn&lt;')
  })

  it('list calls by status and function, and the dead letter with why it died', async () => {
    const dead = await (await page('/ui/async?status=dead&function=broken')).text()
    expect(dead).toContain('data-status="dead"')
    // An id no page could link to (a path separator) is refused at submission, so none is listed. (The
    // list still shows such an id without a link, for a row an older release accepted.)
    const slashed = await fetch(`${g.url}/async-function/broken`, {
      method: 'POST',
      headers: { 'x-call-id': 'a/b' },
    })
    expect(slashed.status).toBe(400)
    expect(await slashed.text()).toContain('other than / and')
    expect(await (await page('/ui/async?status=succeeded&function=broken')).text()).toContain('id="no-calls"')
    const bad = await page('/ui/async?status=lost')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('status must be one of')
    const letter = await (await page(`/ui/dead-letters/${encodeURIComponent(HOSTILE_ID)}`)).text()
    expect(letter).toMatch(/Last HTTP status<\/dt><dd>500/)
  })

  it('never put a secret value in a page, and need the secrets scope even for the names', async () => {
    const list = await (await page('/ui/secrets')).text()
    expect(list).toContain('data-secret="api-key"')
    expect(list).not.toContain(SECRET_VALUE)
    const reader = await createToken(g, { scopes: ['read'], namespaces: ['*'] })
    const asReader = { authorization: `Bearer ${reader.token}` }
    const refused = await page('/ui/secrets', asReader)
    expect(refused.status).toBe(403)
    expect(await refused.text()).not.toContain('api-key')
    // Reading is fine; replaying a call is an invocation, deleting a dead letter a deploy.
    expect((await page('/ui/dead-letters', asReader)).status).toBe(200)
    const encoded = encodeURIComponent(HOSTILE_ID)
    for (const action of ['replay', 'delete']) {
      const res = await form(`/ui/dead-letters/${encoded}/${action}`, { confirm: action }, asReader)
      expect(res.status, action).toBe(403)
    }
    await deadLetterOf(HOSTILE_ID)
  })

  it('create, replace and delete a secret through the API, showing its refusals', async () => {
    const created = await form('/ui/secrets/openfaas-fn', { name: 'db-pass', value: 'first' })
    expect(created.status).toBe(303)
    expect(flashOf(created)).toContain('Created secret db-pass')
    const again = await form('/ui/secrets/openfaas-fn', { name: 'db-pass', value: 'second' })
    expect(flashOf(again)).toContain('already exists')
    expect(flashOf(again)).not.toContain('second')
    const replaced = await form('/ui/secrets/openfaas-fn', {
      name: 'db-pass',
      value: 'second',
      replace: 'yes',
    })
    expect(flashOf(replaced)).toContain('Replaced secret db-pass')
    const badName = await form('/ui/secrets/openfaas-fn', { name: 'Bad_Name', value: 'x' })
    expect(flashOf(badName)).toMatch(/Secret not saved: .*name/)
    const unconfirmed = await form('/ui/secrets/openfaas-fn/db-pass/delete', { confirm: 'nope' })
    expect(flashOf(unconfirmed)).toContain('Not deleted')
    expect((await g.deps.store.listSecrets('openfaas-fn')).map((s) => s.name)).toContain('db-pass')
    const deleted = await form('/ui/secrets/openfaas-fn/db-pass/delete', { confirm: 'db-pass' })
    expect(flashOf(deleted)).toContain('Deleted secret db-pass')
    expect((await g.deps.store.listSecrets('openfaas-fn')).map((s) => s.name)).not.toContain('db-pass')
  })

  it('create and delete namespaces, with the API refusing the default one', async () => {
    const bad = await form('/ui/namespaces', { name: 'qa', labels: 'no equals sign' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('write KEY=VALUE')
    const created = await form('/ui/namespaces', { name: 'qa', labels: 'team=qa' })
    expect(created.status).toBe(303)
    expect((await g.deps.store.getNamespace('qa'))?.labels).toEqual({ team: 'qa' })
    const twice = await form('/ui/namespaces', { name: 'qa' })
    expect(twice.status).toBe(409)
    expect(await twice.text()).toContain('namespace &quot;qa&quot; already exists')
    const keep = await form('/ui/namespaces/openfaas-fn/delete', { confirm: 'openfaas-fn' })
    expect(flashOf(keep)).toContain('cannot be deleted')
    expect(flashOf(await form('/ui/namespaces/qa/delete', { confirm: 'qa' }))).toContain(
      'Deleted namespace qa',
    )
    expect(await g.deps.store.getNamespace('qa')).toBeNull()
  })

  it('refuse writes from other sites and never write on GET', async () => {
    const encoded = encodeURIComponent(HOSTILE_ID)
    const writes: Array<[string, Record<string, string>]> = [
      [`/ui/dead-letters/${encoded}/replay`, { confirm: 'replay' }],
      [`/ui/dead-letters/${encoded}/delete`, { confirm: 'delete' }],
      ['/ui/secrets/openfaas-fn', { name: 'evil', value: 'x' }],
      ['/ui/secrets/openfaas-fn/api-key/delete', { confirm: 'api-key' }],
      ['/ui/namespaces', { name: 'evil' }],
      ['/ui/namespaces/team-b/delete', { confirm: 'team-b' }],
      [`/ui/async/${encoded}/cancel`, {}],
    ]
    for (const [path, fields] of writes) {
      const crossSite: Array<Record<string, string>> = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
      ]
      for (const headers of crossSite) {
        const res = await form(path, fields, headers)
        expect(res.status, path).toBe(403)
      }
      // A GET is a page (the namespaces list) or a 405, never the write.
      const get = await page(`${path}?${new URLSearchParams(fields)}`)
      expect(get.status, path).toBe(path === '/ui/namespaces' ? 200 : 405)
    }
    await deadLetterOf(HOSTILE_ID)
    expect(await g.deps.store.getNamespace('evil')).toBeNull()
    expect(await g.deps.store.getNamespace('team-b')).not.toBeNull()
    expect((await g.deps.store.listSecrets('openfaas-fn')).map((s) => s.name)).toEqual(['api-key'])
  })

  it('replay and delete a dead letter only when confirmed', async () => {
    const encoded = encodeURIComponent(HOSTILE_ID)
    const unconfirmed = await form(`/ui/dead-letters/${encoded}/replay`, {})
    expect(flashOf(unconfirmed)).toContain('Not replayed')
    await deadLetterOf(HOSTILE_ID)
    const replayed = await form(`/ui/dead-letters/${encoded}/replay`, { confirm: 'replay' })
    expect(replayed.status).toBe(303)
    expect(replayed.headers.get('location')).toBe(`/ui/async/${encoded}`)
    // Still broken: it dies again, and can then be dropped.
    await deadLetterOf(HOSTILE_ID)
    const deleted = await form(`/ui/dead-letters/${encoded}/delete`, { confirm: 'delete' })
    expect(flashOf(deleted)).toContain('Deleted dead letter')
    expect((await admin(g, 'GET', `/system/dead-letters/${encoded}`)).status).toBe(404)
  })
})
