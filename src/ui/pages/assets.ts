/**
 * @module
 * `/ui/assets/<hash>/<name>`: the dashboard's script, style sheet and vendored libraries (assets.ts).
 * The current hash is cached for a year as immutable; another hash (a page from before an upgrade)
 * gets the current file, uncached, rather than a broken page.
 */
import type { UiPage } from './types.ts'

export const assetsPage: UiPage = {
  routes: [
    {
      method: 'GET',
      path: '/ui/assets/:hash/:file',
      scope: 'read',
      where: 'none',
      handler(c, ui) {
        const asset = ui.deps.ui.assets.get(c.req.param('file') ?? '')
        if (!asset) return c.text('404 page not found\n', 404)
        const current = asset.hash === c.req.param('hash')
        return c.body(asset.body, 200, {
          'content-type': asset.contentType,
          'cache-control': current ? 'private, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
        })
      },
    },
  ],
}
