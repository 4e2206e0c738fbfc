/**
 * @module
 * The dashboard's vendored files on Workers: bundled as Text modules (the `[[rules]]` of wrangler.toml),
 * since a Worker has no filesystem to read node_modules from at start.
 */
import htmxJs from 'htmx.org/dist/htmx.min.js'
import uplotJs from 'uplot/dist/uPlot.iife.min.js'
import uplotCss from 'uplot/dist/uPlot.min.css'
import type { UiVendorFiles } from '../../ui/assets.ts'

export const UI_VENDOR_FILES: UiVendorFiles = { uplotJs, uplotCss, htmxJs }
