/**
 * The browser harness (test/harness/browser.ts) against a small page server: it answers a Basic-auth
 * challenge only when given credentials, applies the colour scheme, and turns a script error — thrown,
 * or logged with console.error — into a failure, while a 4xx sub-resource is no script error.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, openSession, useBrowser } from '../harness/browser.ts'

const PAGES: Record<string, string> = {
  '/ok':
    '<p id="scheme"></p><script>document.getElementById("scheme").textContent = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"</script>',
  '/throws': '<script>setTimeout(() => { throw new Error("kaputt") })</script><p>rendered</p>',
  '/logs': '<script>console.error("htmx:responseError something")</script>',
  '/missing-image': '<img src="/nope.png"><p>rendered</p>',
}

describe.skipIf(!chromiumAvailable)('browser harness', () => {
  const chromium = useBrowser()
  let server: Server
  let base: string

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${btoa('alice:s3cret')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end()
        return
      }
      const body = PAGES[req.url ?? '']
      if (body === undefined) res.writeHead(404).end()
      else res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>${body}`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const credentials = { user: 'alice', password: 's3cret' }

  it('logs in with Basic auth and applies the colour scheme', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await chromium.session({ credentials, colorScheme })
      await page.goto(`${base}/ok`)
      expect(await page.locator('#scheme').textContent()).toBe(colorScheme)
    }
  })

  it('without credentials the challenge is not answered', async () => {
    const { page } = await chromium.session()
    await expect(page.goto(`${base}/ok`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/)
  })

  it('an uncaught exception fails the session', async () => {
    const session = await openSession(chromium.browser(), { credentials })
    await session.page.goto(`${base}/throws`)
    await expect.poll(() => session.errors.length).toBe(1)
    await expect(session.close()).rejects.toThrow(/kaputt/)
  })

  it('console.error fails the session unless the test allows it', async () => {
    const strict = await openSession(chromium.browser(), { credentials })
    await strict.page.goto(`${base}/logs`)
    await expect.poll(() => strict.errors.length).toBe(1)
    await expect(strict.close()).rejects.toThrow(/responseError/)

    const { page, errors } = await chromium.session({
      credentials,
      allowConsoleErrors: [/^htmx:responseError/],
    })
    await page.goto(`${base}/logs`)
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(errors).toEqual([])
  })

  it('a 404 sub-resource is no script error', async () => {
    const { page, errors } = await chromium.session({ credentials })
    const image = page.waitForResponse((response) => response.url().endsWith('/nope.png'))
    await page.goto(`${base}/missing-image`)
    expect((await image).status()).toBe(404)
    expect(errors).toEqual([])
  })
})
