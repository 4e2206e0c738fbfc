/**
 * The dashboard at /ui/ in a real headless Chromium: it asks for the admin credentials like every
 * /system route, lists the namespaces and the functions of the selected one with their replicas, and
 * follows a namespace change. Skipped, with the reason, where Chromium is not installed.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)

describe.skipIf(!available)('dashboard in Chromium', () => {
  let g: TestGateway
  let browser: Browser
  let auth: Record<string, string>

  beforeAll(async () => {
    g = await startTestGateway()
    auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
    for (const [service, namespace] of [
      ['hello', 'openfaas-fn'],
      ['staged', 'staging'],
    ] as const) {
      if (namespace !== 'openfaas-fn') {
        await fetch(`${g.url}/system/namespace/`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ name: namespace }),
        })
      }
      const res = await fetch(`${g.url}/system/functions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ service, namespace, image: `example/${service}:1`, envProcess: 'cat' }),
      })
      expect(res.status).toBe(202)
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await g?.close()
  })

  it('asks for credentials: / redirects to /ui/, which a browser without them cannot open', async () => {
    const context = await browser.newContext()
    const redirect = await context.request.get(`${g.url}/`, { maxRedirects: 0 })
    expect(redirect.status()).toBe(307)
    expect(redirect.headers().location).toBe('/ui/')
    const page = await context.newPage()
    // Headless Chromium answers a Basic challenge it has no credentials for with this error.
    await expect(page.goto(`${g.url}/ui/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/)
    await context.close()
  })

  it('lists the functions of the selected namespace and follows a change of namespace', async () => {
    const context = await browser.newContext({ httpCredentials: { username: g.user, password: g.password } })
    const page = await context.newPage()
    await page.goto(`${g.url}/ui/`)
    const rows = page.locator('#functions tr')
    const firstRow = () => rows.first().locator('td').allTextContents()
    await expect
      .poll(firstRow, { timeout: 10_000 })
      .toEqual(['hello', 'example/hello:1', '1', expect.any(String), expect.stringMatching(/Z$/)])
    expect(await page.locator('#namespace option').allInnerTexts()).toEqual(['openfaas-fn', 'staging'])
    await page.selectOption('#namespace', 'staging')
    await expect
      .poll(firstRow, { timeout: 10_000 })
      .toEqual(['staged', 'example/staged:1', '1', expect.any(String), expect.stringMatching(/Z$/)])
    expect(await page.locator('#error').textContent()).toBe('')
    await context.close()
  })

  it('works when opened with the credentials in the URL (http://user:pass@host/ui/)', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const url = new URL(`${g.url}/ui/`)
    url.username = g.user
    url.password = g.password
    expect((await page.goto(url.href))?.status()).toBe(200)
    const firstCell = page.locator('#functions tr').first().locator('td').first()
    const shown = async () => [await firstCell.textContent(), await page.locator('#error').textContent()]
    await expect.poll(shown, { timeout: 10_000 }).toEqual(['hello', ''])
    expect(await page.locator('#namespace option').allInnerTexts()).toEqual(['openfaas-fn', 'staging'])
    expect(errors).toEqual([])
    await context.close()
  })
})
