/**
 * The dashboard's server side against a real gateway: the same auth as /system (no credentials, a token
 * without the scope, a token for another namespace), the cross-site check on every write, no write on
 * GET, hostile data shown as text, the API's validation messages next to the form field, a function that
 * answers 500 to every call shown as failing, and scale/delete through the in-process API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, basic, createNamespace, createToken, deployEcho } from '../access/helpers.ts'
import { nodeCommand } from '../fixtures/functions/index.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

let g: TestGateway
const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'

beforeAll(async () => {
  g = await startTestGateway()
  await createNamespace(g, 'team-a')
  await deployEcho(g, 'echo', 'openfaas-fn')
  await deployEcho(g, 'fails', 'openfaas-fn', {}, nodeCommand('fail.ts'))
}, 90_000)
afterAll(async () => g?.close())

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

const desired = async (name: string) => (await g.deps.store.getFunction('openfaas-fn', name))?.replicas

describe('dashboard access', () => {
  it('asks for credentials on every page, asset and form, as /system does', async () => {
    const html = await (await page('/ui/')).text()
    const asset = html.match(/href="(\/ui\/assets\/[^"]+)"/)?.[1] ?? ''
    expect(asset).toMatch(/^\/ui\/assets\/[0-9a-f]+\/app\.css$/)
    for (const path of [
      '/ui/',
      '/ui/functions',
      '/ui/functions/openfaas-fn/echo',
      asset,
      '/ui/deploy/openfaas-fn',
    ]) {
      const res = await page(path, {})
      expect(res.status, path).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Restricted"')
      expect(await res.text()).toContain('or with an API token at /ui/login')
    }
    expect(await (await page('/system/functions', {})).text()).toBe('invalid credentials\n')
    const res = await g.request('/ui/functions/openfaas-fn/echo/scale', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'replicas=0',
    })
    expect(res.status).toBe(401)
    expect(await desired('echo')).toBe(1)
  })

  it('refuses a write another site makes the browser send, and never writes on GET', async () => {
    const crossSite: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ]
    for (const headers of crossSite) {
      const res = await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '0' }, headers)
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('cross-site request refused')
    }
    const deleted = await form(
      '/ui/functions/openfaas-fn/echo/delete',
      { confirm: 'echo' },
      { 'sec-fetch-site': 'same-site' },
    )
    expect(deleted.status).toBe(403)
    expect((await page('/ui/functions/openfaas-fn/echo/scale?replicas=0')).status).toBe(405)
    expect((await page('/ui/functions/openfaas-fn/echo/delete?confirm=echo')).status).toBe(405)
    expect(await desired('echo')).toBe(1)
  })

  it('gives a token what its scopes and namespaces allow, through the same checks as the API', async () => {
    const reader = await createToken(g, { scopes: ['read'], namespaces: ['*'] })
    const read = { authorization: `Bearer ${reader.token}` }
    expect((await page('/ui/', read)).status).toBe(200)
    expect((await page('/ui/functions/openfaas-fn/echo', read)).status).toBe(200)
    const scaled = await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '0' }, read)
    expect(scaled.status).toBe(403)
    expect(await scaled.text()).toContain('"deploy" scope')

    const teamA = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] })
    const a = { authorization: `Bearer ${teamA.token}` }
    expect((await page('/ui/functions?namespace=team-a', a)).status).toBe(200)
    expect((await page('/ui/functions?namespace=openfaas-fn', a)).status).toBe(403)
    expect((await page('/ui/', a)).status).toBe(403) // the default namespace is not team-a's
    expect((await page('/ui/functions/openfaas-fn/echo', a)).status).toBe(403)
    expect((await page('/ui/functions/openfaas-fn/echo/stats', a)).status).toBe(403)
    expect((await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '0' }, a)).status).toBe(403)
    // A token that may not list every namespace gets no list of their names on the page.
    const own = await (await page('/ui/functions?namespace=team-a', a)).text()
    expect(own).not.toContain('<option value="openfaas-fn"')
    expect(await desired('echo')).toBe(1)
  })
})

describe('token login', () => {
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? ''

  it('signs a browser in with an API token kept in an HttpOnly, SameSite=Strict cookie', async () => {
    const login = await page('/ui/login', {})
    expect(login.status).toBe(200)
    expect(await login.text()).toContain('id="login-form"')

    const reader = await createToken(g, { scopes: ['read'], namespaces: ['*'] })
    const xsite = await form(
      '/ui/login',
      { token: reader.token },
      { authorization: '', origin: 'https://evil.example' },
    )
    expect(xsite.status).toBe(403)
    const huge = await g.request('/ui/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${'a'.repeat(3 * 1024 * 1024)}`,
    })
    expect(huge.status).toBe(413)
    const wrong = await form('/ui/login', { token: 'eft_0000000000000000_nope' }, { authorization: '' })
    expect(wrong.status).toBe(403)
    expect(await wrong.text()).toContain('That token is not valid')

    const ok = await form('/ui/login', { token: reader.token }, { authorization: '' })
    expect(ok.status).toBe(303)
    const setCookie = ok.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^edgefaas_token=eft_/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\//)
    const session = { cookie: cookieOf(ok) }
    expect((await page('/ui/', session)).status).toBe(200)
    expect(await (await page('/ui/', session)).text()).toContain('id="logout"')
    // The cookie is a token like any other: the log tail's API route takes it, a write needs its scope.
    expect((await page('/system/logs?name=echo', session)).status).toBe(200)
    const scaled = await form(
      '/ui/functions/openfaas-fn/echo/scale',
      { replicas: '0' },
      { authorization: '', ...session },
    )
    expect(scaled.status).toBe(403)
    expect(await desired('echo')).toBe(1)
    expect((await page('/ui/', { cookie: 'edgefaas_token=eft_garbage' })).status).toBe(401)

    // Revoked: the session ends with it.
    expect((await admin(g, 'DELETE', `/system/tokens/${reader.id}`)).status).toBeLessThan(300)
    await pollUntil(
      'the revoked token to be refused',
      async () => (await page('/ui/', session)).status === 401,
    )
  })

  it('lets a deploy token act through the dashboard only in its namespaces', async () => {
    const teamA = await createToken(g, { scopes: ['deploy'], namespaces: ['team-a'] })
    const ok = await form('/ui/login', { token: teamA.token }, { authorization: '' })
    const session = { authorization: '', cookie: cookieOf(ok) }
    expect((await page('/ui/functions?namespace=team-a', session)).status).toBe(200)
    expect((await page('/ui/functions?namespace=openfaas-fn', session)).status).toBe(403)
    const made = await form(
      '/ui/deploy/team-a',
      { service: 'from-cookie', image: 'x/y:1', envProcess: 'cat' },
      session,
    )
    expect(made.status, await made.clone().text()).toBe(303)
    expect(await g.deps.store.getFunction('team-a', 'from-cookie')).not.toBeNull()
    const out = await form('/ui/logout', {}, session)
    expect(out.status).toBe(303)
    expect(out.headers.get('set-cookie') ?? '').toMatch(/^edgefaas_token=;/)
  })
})

describe('dashboard pages', () => {
  it('shows hostile annotations, env values and images as text', async () => {
    const res = await admin(g, 'POST', '/system/functions', {
      service: 'hostile',
      image: `img/${HOSTILE}`,
      envProcess: 'cat',
      envVars: { NOTE: HOSTILE },
      annotations: { note: HOSTILE },
    })
    expect(res.status, await res.clone().text()).toBe(202)
    for (const path of [
      '/ui/',
      '/ui/functions/openfaas-fn/hostile',
      '/ui/functions/openfaas-fn/hostile/edit',
    ]) {
      const html = await (await page(path)).text()
      expect(html, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html, path).not.toContain('<script>alert(1)')
      expect(html, path).not.toContain('<img src=x')
    }
    const res2 = await page('/ui/')
    const csp = res2.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res2.headers.get('cache-control')).toBe('no-store')
  })

  it('shows the API validation message next to the field it is about, keeping what was typed', async () => {
    const bad = await form('/ui/deploy/openfaas-fn', {
      service: 'Bad_Name',
      image: 'x/y:1',
      envProcess: 'cat',
    })
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toMatch(/data-error-for="service">validation failed: service: must be a valid DNS entry/)
    expect(html).toContain('value="Bad_Name"')
    const env = await form('/ui/deploy/openfaas-fn', {
      service: 'okname',
      image: 'x/y:1',
      envProcess: 'cat',
      envVars: 'JUSTAKEY',
    })
    expect(env.status).toBe(400)
    expect(await env.text()).toMatch(/data-error-for="envVars">line 1: write KEY=VALUE/)
    const secret = await form('/ui/deploy/openfaas-fn', {
      service: 'okname',
      image: 'x/y:1',
      envProcess: 'cat',
      secrets: 'missing-secret',
    })
    expect(await secret.text()).toMatch(
      /data-error-for="secrets">unable to fetch secrets: secret &quot;missing-secret&quot; not found/,
    )
    expect(await g.deps.store.getFunction('openfaas-fn', 'okname')).toBeNull()
  })

  it('edits a function through PUT, keeping what the form does not show, and lists its domains', async () => {
    const res = await admin(g, 'POST', '/system/functions', {
      service: 'editme',
      image: 'x/editme:1',
      envProcess: 'cat',
      limits: { memory: '128Mi' },
      annotations: { 'edgefaas.dev/domains': 'editme.example.com' },
    })
    expect(res.status, await res.clone().text()).toBe(202)
    const before = await (await page('/ui/functions/openfaas-fn/editme/edit')).text()
    expect(before).toContain('value="x/editme:1"')
    const saved = await form('/ui/functions/openfaas-fn/editme/edit', {
      service: 'ignored-the-path-wins',
      image: 'x/editme:2',
      envProcess: 'cat',
      envVars: 'MODE=fast\n# a comment\n',
      labels: 'team=ui',
      annotations: 'edgefaas.dev/domains=editme.example.com',
      secrets: '',
      placement: '',
    })
    expect(saved.status, await saved.clone().text()).toBe(303)
    const fn = await g.deps.store.getFunction('openfaas-fn', 'editme')
    expect(fn?.spec.image).toBe('x/editme:2')
    expect(fn?.spec.envVars).toEqual({ MODE: 'fast' })
    expect(fn?.spec.labels).toEqual({ team: 'ui' })
    expect(fn?.spec.limits).toEqual({ memory: '128Mi' })
    await g.deps.store.addScalingDecision(
      {
        id: crypto.randomUUID(),
        namespace: 'openfaas-fn',
        function: 'editme',
        at: new Date('2026-12-01T10:00:00Z'),
        fromReplicas: 1,
        toReplicas: 3,
        reason: `rps 9.1 over target 3 <b>${HOSTILE}</b>`,
        inputs: { mode: 'rps', load: 9.1, target: 3, ready: 1, min: 1, max: 5, source: 'builtin' },
      },
      10,
    )
    const detail = await (await page('/ui/functions/openfaas-fn/editme')).text()
    const history = detail.slice(detail.indexOf('id="scaling"'))
    expect(history).toMatch(/2026-12-01T10:00:00Z<\/td><td class="num">1<\/td><td class="num">3<\/td>/)
    expect(history).toContain('rps 9.1 over target 3 &lt;b&gt;')
    expect(detail).toContain('editme.example.com')
    expect(detail).toContain('x/editme:2')
  })

  it('pages a long list and keeps the filter across pages', async () => {
    for (let i = 0; i < 30; i++) {
      await g.deps.store.createFunction({
        namespace: 'team-a',
        name: `many-${String(i).padStart(2, '0')}`,
        spec: { image: 'x' },
        replicas: 0,
        placement: ['local'],
      })
    }
    const first = await (await page('/ui/functions?namespace=team-a&q=many&per=25')).text()
    expect(first.match(/data-function="/g)).toHaveLength(25)
    expect(first).toContain('page 1 of 2 · 30 total')
    const second = await (await page('/ui/functions?namespace=team-a&q=many&per=25&page=2')).text()
    expect(second.match(/data-function="/g)).toHaveLength(5)
    const filtered = await (await page('/ui/functions?namespace=team-a&q=many-1')).text()
    expect(filtered.match(/data-function="/g)).toHaveLength(10)
    // A page past the end shows the last one; a bad number the first.
    expect(await (await page('/ui/functions?namespace=team-a&q=many&per=25&page=99')).text()).toContain(
      'page 2 of 2',
    )
    expect((await page('/ui/functions?namespace=team-a&page=abc')).status).toBe(200)
    const missing = await page('/ui/functions?namespace=no-such-ns')
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain('namespace &quot;no-such-ns&quot; does not exist')
  })

  it('shows a function that answers 500 to every call as failing, not healthy', async () => {
    for (let i = 0; i < 5; i++)
      expect((await g.request('/function/fails', { method: 'POST' })).status).toBe(500)
    for (let i = 0; i < 3; i++) {
      expect((await g.request('/function/echo', { method: 'POST', body: 'x' })).status).toBe(200)
    }
    const html = await (await page('/ui/')).text()
    const row = (name: string) => html.slice(html.indexOf(`data-function="${name}"`)).split('</tr>')[0] ?? ''
    expect(row('fails')).toContain('data-health="bad"')
    expect(row('fails')).toContain('failing')
    expect(row('fails')).toContain('100.0%')
    expect(row('fails')).toMatch(/HTTP 500 at /)
    expect(row('echo')).toContain('data-health="ok"')
    expect(row('echo')).toContain('1 / 1')
    const stats = (await (await page('/ui/functions/openfaas-fn/fails/stats')).json()) as {
      calls: number[]
      errors: number[]
    }
    expect(stats.calls.reduce((a, b) => a + b, 0)).toBe(5)
    expect(stats.errors.reduce((a, b) => a + b, 0)).toBe(5)
  })

  it('scales to 0 and back and deletes through the API, with the outcome as a flash message', async () => {
    const down = await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '0' })
    expect(down.status).toBe(303)
    expect(down.headers.get('location')).toBe('/ui/functions/openfaas-fn/echo')
    const cookie = down.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(await desired('echo')).toBe(0)
    const shown = await page('/ui/functions/openfaas-fn/echo', {
      authorization: basic(g),
      cookie: cookie.split(';')[0] ?? '',
    })
    expect(await shown.text()).toContain('Scaled echo to 0 replicas.')
    expect((await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '1' })).status).toBe(303)
    expect(await desired('echo')).toBe(1)
    const tooMany = await form('/ui/functions/openfaas-fn/echo/scale', { replicas: '100000' })
    expect(decodeURIComponent(tooMany.headers.get('set-cookie') ?? '')).toContain(
      'Scale refused: replicas must be at most',
    )

    expect((await form('/ui/functions/openfaas-fn/hostile/delete', { confirm: 'other' })).status).toBe(303)
    expect(await g.deps.store.getFunction('openfaas-fn', 'hostile')).not.toBeNull()
    const gone = await form('/ui/functions/openfaas-fn/hostile/delete', { confirm: 'hostile' })
    expect(gone.headers.get('location')).toBe('/ui/functions?namespace=openfaas-fn')
    await pollUntil(
      'hostile to be deleted',
      async () => (await admin(g, 'GET', '/system/function/hostile')).status === 404,
    )
  })
})
