/**
 * @module
 * The dashboard's vendored files (uPlot, htmx) read from node_modules once at start, for Node and Deno
 * (which shares this runtime's drivers). Resolved like an import, so a hoisted or nested install works.
 * A missing file is not fatal: the pages work without charts and htmx, and the log says why.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Logger } from '../../logger.ts'
import type { UiVendorFiles } from '../../ui/assets.ts'

export async function readUiVendorFiles(logger: Logger): Promise<UiVendorFiles | undefined> {
  const require = createRequire(import.meta.url)
  try {
    const [uplotJs, uplotCss, htmxJs] = await Promise.all(
      ['uplot/dist/uPlot.iife.min.js', 'uplot/dist/uPlot.min.css', 'htmx.org/dist/htmx.min.js'].map((file) =>
        readFile(require.resolve(file), 'utf8'),
      ),
    )
    return { uplotJs: uplotJs ?? '', uplotCss: uplotCss ?? '', htmxJs: htmxJs ?? '' }
  } catch (error) {
    logger.warn('dashboard: uPlot/htmx not found in node_modules; charts and live refresh are off', {
      error: error instanceof Error ? error.message : String(error),
    })
    return undefined
  }
}
