// The dashboard inside workerd: pages render over D1 behind the admin's credentials, and the vendored
// libraries (uPlot, htmx), bundled as Text modules, are served from the Worker itself at hashed URLs.
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { auth } from './helpers.ts'

const get = (path: string, headers: Record<string, string> = auth) =>
  SELF.fetch(`http://gateway.test${path}`, { headers })

describe('dashboard in workerd', () => {
  it('renders the function list and serves uPlot and htmx from the bundle', async () => {
    expect((await get('/ui/', {})).status).toBe(401)
    const page = await get('/ui/')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('<h1 class="grow">Functions')
    const htmx = html.match(/src="(\/ui\/assets\/[0-9a-f]+\/htmx\.js)"/)?.[1]
    expect(htmx).toBeDefined()
    const js = await get(htmx ?? '')
    expect(js.status).toBe(200)
    expect(js.headers.get('cache-control')).toContain('immutable')
    expect(await js.text()).toContain('htmx')
    // Another hash (a page from before an upgrade) still gets the current file, uncached.
    const uplot = await get('/ui/assets/0/uplot.js')
    expect(uplot.headers.get('cache-control')).toBe('no-cache')
    expect(await uplot.text()).toContain('uPlot')
    const detail = await (await get('/ui/deploy/openfaas-fn')).text()
    expect(detail).toContain('id="function-form"')
  })
})
