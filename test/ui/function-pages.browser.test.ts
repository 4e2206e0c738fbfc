/**
 * The function pages in a real Chromium against a real gateway process: deploy a function from the form,
 * invoke it from the panel and see the answer, watch its calls chart move under load, tail its logs (a
 * hostile log line stays text), scale it to 0 and back, delete it; and the theme toggle is remembered.
 * Any script error on a page (a CSP refusal included) fails the test (test/harness/browser.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellCommand } from '../fixtures/functions/index.ts'
import { chromiumAvailable, useBrowser } from '../harness/browser.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'

const NAME = 'echo-ui'
const DETAIL = `/ui/functions/openfaas-fn/${NAME}`

describe.skipIf(!chromiumAvailable)('function pages in Chromium', () => {
  const browser = useBrowser()
  const user = 'admin'
  const password = 'browser-test-password'
  let dataDir: string
  let gateway: GatewayProcess
  let url: string
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-ui-'))
    gateway = await startGatewayProcess({
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: password,
      EDGEFAAS_HOST: '127.0.0.1',
    })
    url = gateway.url
  }, 90_000)
  afterAll(async () => {
    await gateway?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })
  const call = (body: string) => fetch(`${url}/function/${NAME}`, { method: 'POST', body })
  const functionStatus = async () =>
    (
      await fetch(`${url}/system/function/${NAME}`, {
        headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` },
      })
    ).status

  const session = async () => {
    const s = await browser.session({ credentials: { user, password } })
    // The scale and delete forms ask for confirmation.
    s.page.on('dialog', (dialog) => void dialog.accept())
    return s
  }
  const text = async (page: Page, selector: string) =>
    (await page.locator(selector).textContent())?.trim() ?? ''
  /** Reloads until the server-rendered `selector` shows `expected` (reconcile runs in the background). */
  const reloadUntil = async (page: Page, selector: string, expected: RegExp) => {
    await pollUntil(
      `${selector} to match ${expected}`,
      async () => {
        await page.reload()
        return expected.test(await text(page, selector))
      },
      30_000,
      300,
    )
  }

  it('deploys from the form, invokes from the panel, tails logs, charts load, scales to 0 and back, deletes', async () => {
    const { page } = await session()
    await page.goto(`${url}/ui/`)
    await page.click('#deploy-link')
    await page.fill('#f-service', NAME)
    await page.fill('#f-image', 'local/log-echo:1')
    await page.fill('#f-envProcess', shellCommand('log-echo.sh'))
    await page.fill('#f-labels', 'team=dashboard')
    // The watchdog then logs stderr rather than adding it to the answer (as OpenFaaS's classic one).
    await page.fill('#f-envVars', 'combine_output=false')
    await page.click('#f-submit')
    await page.waitForURL(`${url}${DETAIL}`)
    expect(await text(page, '#flash')).toBe(`Deployed ${NAME} in openfaas-fn.`)
    await reloadUntil(page, '#replicas-now', /^1 \/ 1$/)

    // Invoke from the panel: status, headers, timing and body shown.
    await page.selectOption('#invoke select[name=method]', 'POST')
    await page.fill('#invoke-body', 'hello from the panel')
    await page.click('#invoke-submit')
    await expect.poll(() => text(page, '#invoke-body-out'), { timeout: 15_000 }).toBe('hello from the panel')
    expect(await text(page, '#invoke-result [data-status]')).toMatch(/^200/)
    expect(await text(page, '#invoke-result [data-timing]')).toMatch(/headers [\d.]+ ms, body [\d.]+ ms/)
    expect((await text(page, '#invoke-result [data-headers]')).toLowerCase()).toContain('content-type')

    // The log tail follows: a line logged now appears, and a hostile one stays text.
    const hostile = '<img src=x id=pwned onerror="document.title=1">'
    expect((await call(hostile)).status).toBe(200)
    await expect.poll(() => text(page, '#log-lines'), { timeout: 20_000 }).toContain(`log: ${hostile}`)
    expect(await page.locator('#log-lines img, #pwned').count()).toBe(0)
    expect(await page.getAttribute('#logs', 'data-following')).toBe('true')

    // Under load, the calls chart moves (its data and its canvas).
    await page.waitForSelector('#charts [data-chart=calls] canvas')
    const before = Number((await page.getAttribute('#charts', 'data-calls-total')) ?? '0')
    await Promise.all(Array.from({ length: 40 }, () => call('load').then((r) => r.text())))
    await expect
      .poll(async () => Number((await page.getAttribute('#charts', 'data-calls-total')) ?? '0'), {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(before + 40)
    expect(await page.locator('#charts canvas').count()).toBeGreaterThanOrEqual(4)

    // Scale to 0 and back.
    await page.fill('#replicas', '0')
    await page.click('#scale-submit')
    await page.waitForURL(`${url}${DETAIL}`)
    expect(await text(page, '#flash')).toBe(`Scaled ${NAME} to 0 replicas.`)
    await reloadUntil(page, '#replicas-now', /^0 \/ 0$/)
    expect(await text(page, '#health')).toBe('scaled to zero')
    await page.fill('#replicas', '1')
    await page.click('#scale-submit')
    expect(await text(page, '#flash')).toBe(`Scaled ${NAME} to 1 replica.`)
    await reloadUntil(page, '#replicas-now', /^1 \/ 1$/)

    // Delete: back on the list, without it.
    await page.click('#delete-submit')
    await page.waitForURL(`${url}/ui/functions?namespace=openfaas-fn`)
    expect(await text(page, '#flash')).toBe(`Deleted ${NAME} from openfaas-fn.`)
    expect(await page.locator(`tr[data-function="${NAME}"]`).count()).toBe(0)
    await pollUntil(`${NAME} to be gone`, async () => (await functionStatus()) === 404, 30_000)
  }, 180_000)

  it('shows the API refusal next to the field in the browser', async () => {
    const { page } = await session()
    await page.goto(`${url}/ui/deploy/openfaas-fn`)
    await page.fill('#f-service', 'needs-secret')
    await page.fill('#f-image', 'x/y:1')
    await page.fill('#f-envProcess', 'cat')
    await page.fill('#f-secrets', 'nope')
    await page.click('#f-submit')
    expect(await text(page, '[data-error-for=secrets]')).toContain(
      'secret "nope" not found in namespace "openfaas-fn"',
    )
    expect(await page.inputValue('#f-service')).toBe('needs-secret')
  }, 60_000)

  it('refreshes the function list in place (htmx) as functions come and go', async () => {
    const { page } = await session()
    await page.goto(`${url}/ui/`)
    expect(await page.locator('tr[data-function="appears"]').count()).toBe(0)
    const deployed = await fetch(`${url}/system/functions`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${user}:${password}`)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'appears', image: 'x/appears:1', envProcess: 'cat' }),
    })
    expect(deployed.status).toBe(202)
    // No reload: the table is swapped every 5 s.
    await page.waitForSelector('tr[data-function="appears"]', { timeout: 20_000 })
    await page.waitForSelector('tr[data-function="appears"] [data-health="ok"]', { timeout: 30_000 })
    expect(page.url()).toBe(`${url}/ui/`)
  }, 60_000)

  it('switches to the dark theme and remembers it', async () => {
    const { page } = await session()
    await page.goto(`${url}/ui/`)
    expect(await page.getAttribute('html', 'data-theme')).toBeNull()
    await page.click('#theme-toggle')
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark')
    // Evaluated in the page (a string, since this file is typed without the DOM library).
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor')
    expect(await background()).toBe('rgb(15, 18, 24)')
    await page.reload()
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark')
    expect(await background()).toBe('rgb(15, 18, 24)')
  }, 60_000)
})
