/**
 * @module
 * The dashboard's static files, served from the gateway itself (no CDN): the vendored libraries (uPlot,
 * htmx), whose bytes the runtime hands in because reading node_modules is a runtime's business (Node and
 * Deno read the files at start, src/runtime/node/ui-assets.ts; Workers bundle them as Text modules,
 * src/runtime/workers/ui-assets.ts), and our own script and style sheet, which are string modules here.
 *
 * Each file is served at `/ui/assets/<hash>/<name>` with a year-long immutable cache: the hash of its
 * content is in the URL, so a new release (or a new pinned library) changes the URL and no browser keeps
 * a stale copy.
 */
import { APP_CSS } from './client/app.css.ts'
import { APP_JS } from './client/app.js.ts'

/** The vendored files a runtime provides, as text (all four are ASCII/UTF-8 text files). */
export interface UiVendorFiles {
  /** node_modules/uplot/dist/uPlot.iife.min.js */
  uplotJs: string
  /** node_modules/uplot/dist/uPlot.min.css */
  uplotCss: string
  /** node_modules/htmx.org/dist/htmx.min.js */
  htmxJs: string
}

export type AssetName = 'app.js' | 'app.css' | 'uplot.js' | 'uplot.css' | 'htmx.js'

export interface Asset {
  body: string
  contentType: string
  hash: string
  /** `/ui/assets/<hash>/<name>` */
  url: string
}

export interface UiAssets {
  get(name: string): Asset | undefined
  url(name: AssetName): string
  /** False when the runtime handed in no vendor files: charts and htmx enhancements are then off. */
  vendored: boolean
}

const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'

export function createUiAssets(vendor: UiVendorFiles | undefined): UiAssets {
  const files: Array<[AssetName, string, string]> = [
    ['app.js', APP_JS, JS],
    ['app.css', APP_CSS, CSS],
  ]
  if (vendor) {
    files.push(
      ['uplot.js', vendor.uplotJs, JS],
      ['uplot.css', vendor.uplotCss, CSS],
      ['htmx.js', vendor.htmxJs, JS],
    )
  }
  const table = new Map<string, Asset>()
  for (const [name, body, contentType] of files) {
    const hash = contentHash(body)
    table.set(name, { body, contentType, hash, url: `/ui/assets/${hash}/${name}` })
  }
  return {
    get: (name) => table.get(name),
    // An asset the runtime did not provide still gets a URL (answering 404), so pages need no branches.
    url: (name) => table.get(name)?.url ?? `/ui/assets/missing/${name}`,
    vendored: vendor !== undefined,
  }
}

/**
 * FNV-1a (64-bit, as two 32-bit halves) over the UTF-16 code units, in hex: synchronous, runs once per
 * file at start, and only has to tell versions apart, not resist anyone.
 */
export function contentHash(text: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193 ^ text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = Math.imul(h2 ^ c, 0x5bd1e995)
  }
  return ((h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0')).slice(0, 12)
}
