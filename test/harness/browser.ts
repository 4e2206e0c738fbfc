/**
 * @module
 * Debian's Chromium driven by playwright-core, for the dashboard's tests and the screenshot script.
 * One browser per test file (`useBrowser()` launches it in beforeAll and closes it in afterAll), one
 * context per test (`session()`): its own cookies and credentials, a light or dark colour scheme, and
 * every JavaScript error any of its pages raises collected — an uncaught exception, a `console.error`
 * (htmx reports failed swaps there, Chromium reports CSP violations there) — so a test fails on a script
 * error even when what it asserts still shows on the page.
 *
 * Chromium is a system package (`.ci/run` installs it); where it is missing `chromiumAvailable` is
 * false and a suite skips itself with `describe.skipIf(!chromiumAvailable)`.
 */
import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, onTestFinished } from 'vitest'

export const CHROMIUM_PATH = '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM_PATH)

/**
 * Headless Chromium as the tests run it: no sandbox (tests may run as root in CI containers), no GPU,
 * and none of the background traffic (component updates, safe browsing, first-run pages) that would
 * reach the network from a test.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

export interface Credentials {
  user: string
  password: string
}

export interface SessionOptions {
  /** Basic-auth credentials the browser answers the gateway's challenge with; omitted: none. */
  credentials?: Credentials
  colorScheme?: 'light' | 'dark'
  /** Defaults to 1280×800, the size the screenshots in docs/ui.md are taken at. */
  viewport?: { width: number; height: number }
  /** `console.error` messages a test expects (e.g. htmx reporting a 4xx it was meant to get). */
  allowConsoleErrors?: RegExp[]
}

export interface UiSession {
  context: BrowserContext
  /** The context's first page. */
  page: Page
  /** Script errors raised so far by any page of the context, as "where: message". */
  errors: string[]
  /** Closes the context; throws when a page raised a script error that was not allowed. */
  close(): Promise<void>
}

/**
 * Chromium logs every 4xx/5xx sub-resource as a console error. Whether a status was right is what the
 * test asserts about the response; it is no script error.
 */
const NETWORK_NOISE = /^Failed to load resource: the server responded with a status of \d+/

export async function openSession(browser: Browser, options: SessionOptions = {}): Promise<UiSession> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    ...(options.credentials
      ? { httpCredentials: { username: options.credentials.user, password: options.credentials.password } }
      : {}),
  })
  const errors: string[] = []
  const allowed = [NETWORK_NOISE, ...(options.allowConsoleErrors ?? [])]
  context.on('weberror', (error) => {
    errors.push(`uncaught on ${error.page()?.url() ?? '?'}: ${error.error().stack ?? error.error().message}`)
  })
  context.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    if (allowed.some((pattern) => pattern.test(text))) return
    errors.push(`console.error on ${message.page()?.url() ?? '?'}: ${text}`)
  })
  const page = await context.newPage()
  let closed = false
  return {
    context,
    page,
    errors,
    async close() {
      if (!closed) {
        closed = true
        await context.close()
      }
      if (errors.length > 0) throw new Error(`the page raised script errors:\n${errors.join('\n')}`)
    },
  }
}

/** The Authorization header value for `credentials`, for requests made beside the browser. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${btoa(`${credentials.user}:${credentials.password}`)}`
}

export interface BrowserFixture {
  browser(): Browser
  /**
   * A fresh context for the running test. It is closed when the test finishes, and the test fails if
   * any of its pages raised a script error.
   */
  session(options?: SessionOptions): Promise<UiSession>
}

/** Call at the top of a describe block: one Chromium for the file, a context per `session()`. */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })
  const current = (): Browser => {
    if (!browser) throw new Error('useBrowser(): the browser starts in beforeAll; call session() in a test')
    return browser
  }
  return {
    browser: current,
    async session(options) {
      const session = await openSession(current(), options)
      onTestFinished(() => session.close())
      return session
    },
  }
}
