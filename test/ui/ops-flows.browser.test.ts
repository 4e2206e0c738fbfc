/**
 * The operations pages in a real Chromium against a real gateway: replaying a dead letter after fixing
 * the function that failed it and watching the call complete, a backend process killed with SIGKILL
 * turning unhealthy on the backends page by itself, a custom domain's certificate state and issuer, a
 * namespace created and deleted (and its deletion refused while it holds a function), and
 * secrets created and deleted from the page without their value ever coming back. Any script error on
 * a page fails the test (test/harness/browser.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, deployEcho } from '../access/helpers.ts'
import { chromiumAvailable, useBrowser } from '../harness/browser.ts'
import { createTestCa, type TestCa } from '../harness/certs.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

describe.skipIf(!chromiumAvailable)('operations pages in Chromium', () => {
  const chromium = useBrowser()
  let g: TestGateway
  let backend: GatewayProcess
  let backendDir: string
  let ca: TestCa
  const BACKEND_PASSWORD = 'backend-password-9'

  beforeAll(async () => {
    backendDir = await mkdtemp(join(tmpdir(), 'edgefaas-ui-backend-'))
    ;[g, backend, ca] = await Promise.all([
      startTestGateway({ EDGEFAAS_RETRY_MIN_WAIT_MS: '50', EDGEFAAS_RETRY_MAX_WAIT_MS: '100' }),
      startGatewayProcess({ EDGEFAAS_DATA_DIR: backendDir, EDGEFAAS_ADMIN_PASSWORD: BACKEND_PASSWORD }),
      createTestCa('Example Issuing CA'),
    ])
  }, 90_000)
  afterAll(async () => {
    await g?.close()
    await backend?.stop('SIGKILL')
    await ca?.remove()
    if (backendDir) await rm(backendDir, { recursive: true, force: true })
  })

  const login = () => chromium.session({ credentials: { user: g.user, password: g.password } })

  it('replays a dead letter after the function is fixed, and shows the call completing', async () => {
    await deployEcho(g, 'flaky', 'openfaas-fn', { 'com.openfaas.retry.attempts': '0' }, 'false')
    const submitted = await fetch(`${g.url}/async-function/flaky`, { method: 'POST', body: 'order 42' })
    const id = submitted.headers.get('x-call-id') ?? ''
    await pollUntil(
      'the call to die',
      async () => (await admin(g, 'GET', `/system/dead-letters/${id}`)).status === 200,
    )

    const { page } = await login()
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${g.url}/ui/dead-letters`)
    await page.locator(`tr[data-dead-letter="${id}"] a`).first().click()
    await page.waitForURL(`**/ui/dead-letters/${id}`)
    expect(await page.locator('#why').textContent()).toMatch(/Last HTTP status\s*500/)
    expect(await page.locator('#request-body').textContent()).toBe('order 42')

    // The fix: the same function, now a working one.
    const fixed = await admin(g, 'PUT', '/system/functions', {
      service: 'flaky',
      image: 'functions/alpine',
      envProcess: 'cat',
      annotations: { 'com.openfaas.retry.attempts': '0' },
    })
    expect(fixed.status).toBe(202)
    await pollUntil(
      'the fixed function to answer',
      async () => {
        const res = await fetch(`${g.url}/function/flaky`, { method: 'POST', body: 'ping' })
        return res.status === 200
      },
      30_000,
    )

    // Replaying needs the confirmation box: the browser itself refuses to submit without it.
    await page.locator('#replay').click()
    expect(page.url()).toContain(`/ui/dead-letters/${id}`)
    await page.locator('#replay-form input[name=confirm]').check()
    await page.locator('#replay').click()
    await page.waitForURL(`**/ui/async/${id}`)
    expect(await page.locator('#flash').textContent()).toContain(`Replayed call ${id}`)
    // The call's page follows it (htmx) until it is done.
    await expect
      .poll(() => page.locator('#call [data-status]').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('succeeded')

    await page.goto(`${g.url}/ui/dead-letters`)
    expect(await page.locator(`tr[data-dead-letter="${id}"]`).count()).toBe(0)
    await page.goto(`${g.url}/ui/async?function=flaky&status=succeeded`)
    expect(await page.locator(`tr[data-call="${id}"]`).count()).toBe(1)
  })

  it('shows a backend killed with SIGKILL as unhealthy without a reload', async () => {
    const created = await admin(g, 'POST', '/system/backends', {
      name: 'edge-1',
      kind: 'openfaas',
      url: backend.url,
      credentials: { username: 'admin', password: BACKEND_PASSWORD },
      labels: { region: 'eu-west', tier: 'edge' },
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const { page } = await login()
    await page.goto(`${g.url}/ui/backends`)
    const row = page.locator('tr[data-backend="edge-1"]')
    // The probe runs on the reconcile tick (500 ms here); the table refreshes itself every 5 s.
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 20_000 }).toBe('ok')
    expect(await row.textContent()).toContain('region=eu-west')

    await backend.stop('SIGKILL')
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 30_000 }).toBe('bad')
    expect(await row.locator('[data-verdict]').textContent()).toBe('unreachable')
    expect(await row.locator('[data-last-error]').textContent()).toMatch(
      /cannot reach backend "edge-1"|ECONNREFUSED|refused/i,
    )

    await row.locator('a').first().click()
    await page.waitForURL('**/ui/backends/edge-1')
    expect(await page.locator('#verdict').textContent()).toBe('unreachable')
    expect(await page.locator('#control-plane').textContent()).toMatch(/Reachable\s*no/)
  })

  it("shows a domain's certificate state, expiry and issuer", async () => {
    await deployEcho(g, 'shop', 'openfaas-fn')
    const leaf = await ca.issue(['shop.example.test'], { days: 30 })
    const uploaded = await admin(g, 'POST', '/system/domains', {
      host: 'shop.example.test',
      function: 'shop',
      certificate: `${leaf.certPem}${ca.certPem}`,
      privateKey: leaf.keyPem,
    })
    expect(uploaded.status, await uploaded.clone().text()).toBe(201)
    const plain = await admin(g, 'POST', '/system/domains', {
      host: 'plain.example.test',
      function: 'shop',
      tls: 'none',
    })
    expect(plain.status).toBe(201)

    const { page } = await login()
    await page.goto(`${g.url}/ui/domains`)
    const shop = page.locator('tr[data-host="shop.example.test"]')
    expect(await shop.getAttribute('data-cert-state')).toBe('issued')
    expect(await shop.locator('[data-verdict]').textContent()).toBe('issued')
    expect(await shop.textContent()).toContain('manual: upload a new certificate')
    const notAfter = await shop.locator('time').first().getAttribute('datetime')
    expect(Date.parse(notAfter ?? '') - Date.now()).toBeGreaterThan(29 * 24 * 3600_000)
    expect(await page.locator('tr[data-host="plain.example.test"] [data-verdict]').textContent()).toBe(
      'HTTP only',
    )

    await shop.locator('a').first().click()
    await page.waitForURL('**/ui/domains/shop.example.test')
    expect(await page.locator('[data-issuer]').textContent()).toBe('Example Issuing CA')
    expect(await page.locator('#certificate [data-cert-state]').textContent()).toBe('issued')
  })

  it('creates a namespace with labels and deletes it, the API refusing one that holds a function', async () => {
    const { page } = await login()
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${g.url}/ui/namespaces`)
    await page.locator('#ns-name').fill('team-q')
    await page.locator('#ns-labels').fill('team=quality\ncost-centre=42')
    await page.locator('#create-namespace').click()
    await page.waitForURL('**/ui/namespaces')
    const row = page.locator('tr[data-namespace="team-q"]')
    expect(await row.textContent()).toContain('cost-centre=42')

    await deployEcho(g, 'keeper', 'team-q')
    await page.reload()
    expect(await row.locator('td').nth(1).textContent()).toBe('1')
    await row.locator('input[name=confirm]').fill('team-q')
    await row.locator('button').click()
    await page.waitForURL('**/ui/namespaces')
    expect(await page.locator('#flash').textContent()).toMatch(/Delete refused: .*still holds 1 function/)

    expect(
      (await admin(g, 'DELETE', '/system/functions?namespace=team-q', { functionName: 'keeper' })).status,
    ).toBe(202)
    await pollUntil('keeper to be gone', async () => (await g.deps.store.countFunctions('team-q')) === 0)
    await page.reload()
    await row.locator('input[name=confirm]').fill('team-q')
    await row.locator('button').click()
    await page.waitForURL('**/ui/namespaces')
    expect(await page.locator('#flash').textContent()).toContain('Deleted namespace team-q')
    expect(await row.count()).toBe(0)
  })

  it('creates and deletes a secret from the page, never showing its value', async () => {
    const value = 'correct horse battery staple'
    const { page } = await login()
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${g.url}/ui/secrets?namespace=openfaas-fn`)
    await page.locator('#secret-name').fill('payment-token')
    await page.locator('#secret-value').fill(value)
    await page.locator('#save-secret').click()
    await page.waitForURL('**/ui/secrets?namespace=openfaas-fn')
    expect(await page.locator('#flash').textContent()).toContain('Created secret payment-token')
    expect(await page.locator('tr[data-secret="payment-token"]').count()).toBe(1)
    expect(await page.content()).not.toContain(value)
    expect(await page.locator('#secret-value').inputValue()).toBe('')

    const row = page.locator('tr[data-secret="payment-token"]')
    await row.locator('input[name=confirm]').fill('payment-token')
    await row.locator('button').click()
    await page.waitForURL('**/ui/secrets?namespace=openfaas-fn')
    expect(await page.locator('#flash').textContent()).toContain('Deleted secret payment-token')
    expect(await page.locator('tr[data-secret="payment-token"]').count()).toBe(0)
  })
})
