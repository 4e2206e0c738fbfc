/**
 * The API cannot be driven from another site. A browser holding the admin's Basic credentials sends them
 * with any request a page on another site makes, and a page can send POSTs without asking first as long
 * as the body is a form, `text/plain` or typeless. So JSON bodies must say `application/json` (415
 * otherwise, which no page can send cross-site without a CORS preflight this gateway never approves), and
 * state-changing requests whose `Origin` or `Sec-Fetch-Site` says another site are refused with 403.
 * Clients that send neither (faas-cli, curl, SDKs) work as before: checked with the real faas-cli.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAAS_CLI, faasCliOk } from '../harness/faas-cli.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

let g: TestGateway
let auth: Record<string, string>
const JSON_TYPE = { 'content-type': 'application/json' }

beforeAll(async () => {
  g = await startTestGateway()
  auth = { authorization: `Basic ${btoa(`${g.user}:${g.password}`)}` }
})
afterAll(() => g.close())

const deployment = (service: string) => JSON.stringify({ service, image: 'x', envProcess: 'cat' })

async function exists(service: string): Promise<boolean> {
  const res = await fetch(`${g.url}/system/function/${service}`, { headers: auth })
  await res.body?.cancel()
  return res.status === 200
}

/** Every endpoint that reads a JSON body, with a body it would accept. */
const JSON_ENDPOINTS: Array<[string, string, string]> = [
  ['POST', '/system/functions', deployment('typed')],
  ['PUT', '/system/functions', deployment('typed')],
  ['DELETE', '/system/functions', '{"functionName":"typed"}'],
  ['POST', '/system/scale-function/typed', '{"serviceName":"typed","replicas":1}'],
  ['POST', '/system/secrets', '{"name":"typed","value":"v"}'],
  ['PUT', '/system/secrets', '{"name":"typed","value":"v"}'],
  ['DELETE', '/system/secrets', '{"name":"typed"}'],
  ['POST', '/system/namespace/', '{"name":"typed"}'],
  ['PUT', '/system/namespace/openfaas-fn', '{"labels":{"a":"b"}}'],
  ['PUT', '/system/namespaces/openfaas-fn', '{"labels":{"a":"b"}}'],
  ['POST', '/system/backends', '{"name":"typed","kind":"openfaas","url":"http://127.0.0.1:1"}'],
  ['PUT', '/system/backends/typed', '{"name":"typed","kind":"openfaas","url":"http://127.0.0.1:1"}'],
]

describe('JSON bodies must be sent as application/json', () => {
  it.each(JSON_ENDPOINTS)(
    '%s %s: 415 for text/plain, forms, multipart and no type at all',
    async (method, path, body) => {
      for (const type of [
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonp',
        undefined,
      ]) {
        // A Uint8Array body makes fetch send no Content-Type, as a typeless Blob does in a browser.
        const res = await fetch(`${g.url}${path}`, {
          method,
          headers: { ...auth, ...(type ? { 'content-type': type } : {}) },
          body: new TextEncoder().encode(body),
        })
        const text = await res.text()
        expect(res.status, `${type} → ${text}`).toBe(415)
        expect(text).toContain("-H 'Content-Type: application/json'")
      }
    },
  )

  it('a deploy posted as text/plain creates nothing', async () => {
    const res = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: deployment('plain'),
    })
    expect(res.status).toBe(415)
    expect(await exists('plain')).toBe(false)
  })

  it('parameters and +json types are JSON', async () => {
    for (const [service, type] of [
      ['charset', 'application/json; charset=utf-8'],
      ['upper', 'Application/JSON'],
      ['suffix', 'application/vnd.edgefaas.function+json'],
    ] as const) {
      const res = await fetch(`${g.url}/system/functions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body: deployment(service),
      })
      expect(res.status, await res.text()).toBe(202)
    }
  })

  it('an empty body with the JSON type is still a 400 that names what to send', async () => {
    const res = await fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, ...JSON_TYPE },
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('FunctionDeployment')
  })
})

describe('state-changing requests from another site', () => {
  const post = (service: string, headers: Record<string, string>) =>
    fetch(`${g.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, ...JSON_TYPE, ...headers },
      body: deployment(service),
    })

  it.each([
    ['Origin of another site', { origin: 'https://attacker.example' }],
    ['Origin of another port on the same host', { origin: 'http://127.0.0.1:1' }],
    ['Origin: null (sandboxed frames, data: URLs)', { origin: 'null' }],
    ['a malformed Origin', { origin: 'not a url' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('%s: 403, and nothing is deployed', async (_, headers) => {
    const res = await post('crossed', headers)
    expect(res.status).toBe(403)
    expect(await res.text()).toMatch(/another site/)
    expect(await exists('crossed')).toBe(false)
  })

  it('another site cannot register a backend (which would receive deploys and secrets)', async () => {
    const res = await fetch(`${g.url}/system/backends`, {
      method: 'POST',
      headers: { ...auth, ...JSON_TYPE, origin: 'https://attacker.example' },
      body: '{"name":"crossed","kind":"openfaas","url":"https://attacker.example"}',
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toMatch(/another site/)
    expect((await fetch(`${g.url}/system/backends/crossed`, { headers: auth })).status).toBe(404)
  })

  it.each([
    ['same-origin', () => ({ origin: g.url, 'sec-fetch-site': 'same-origin' })],
    ['none (typed in the address bar)', () => ({ 'sec-fetch-site': 'none' })],
    [
      'the origin a TLS proxy in front announces',
      () => ({
        origin: 'https://gateway.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'gateway.example',
      }),
    ],
    ['neither header (faas-cli, curl)', () => ({})],
  ])('allowed: %s', async (label, headers) => {
    const service = `allowed-${label.split(' ')[0]}`
    const res = await post(service, headers())
    expect(res.status, await res.text()).toBe(202)
  })

  it('reads and public paths are not refused: GET /system/*, invocations, async submissions', async () => {
    const cross = { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }
    expect((await fetch(`${g.url}/system/functions`, { headers: { ...auth, ...cross } })).status).toBe(200)
    const invoke = await fetch(`${g.url}/function/nope`, { method: 'POST', headers: cross, body: 'x' })
    expect(invoke.status).toBe(404)
    const enqueue = await fetch(`${g.url}/async-function/nope`, { method: 'POST', headers: cross, body: 'x' })
    expect(enqueue.status).toBe(404)
    // Cancelling a call is an admin action, so it is protected like /system.
    const cancel = await fetch(`${g.url}/async-function/some-call`, {
      method: 'DELETE',
      headers: { ...auth, ...cross },
    })
    expect(cancel.status).toBe(403)
  })

  it('is refused with authentication switched off too, where it matters most', async () => {
    const open = await startTestGateway({ EDGEFAAS_BASIC_AUTH: 'false' })
    try {
      const res = await fetch(`${open.url}/system/functions`, {
        method: 'POST',
        headers: { ...JSON_TYPE, origin: 'https://attacker.example' },
        body: deployment('open'),
      })
      expect(res.status).toBe(403)
    } finally {
      await open.close()
    }
  })
})

const CHROMIUM = '/usr/bin/chromium'

describe.skipIf(!existsSync(CHROMIUM))(
  'a page on another site, in Chromium with the admin credentials',
  () => {
    let site: Server
    beforeAll(async () => {
      // The classic: a text/plain form whose one field name and value join into a JSON document.
      const form = () =>
        `<form method="POST" action="${g.url}/system/functions" enctype="text/plain">` +
        `<input type="hidden" name='{"service":"csrf-form","image":"x","envProcess":"cat","pad":"' value='"}'>` +
        '<button>win a prize</button></form>'
      site = createServer((req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(req.url === '/form' ? form() : '<h1>elsewhere</h1>'),
      )
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    })
    afterAll(() => new Promise((resolve) => site.close(resolve)))

    it('cannot deploy with a text/plain form, nor with no-cors fetches', async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      })
      try {
        // The browser answers the gateway's Basic challenge with these, like a cached admin login.
        const context = await browser.newContext({
          httpCredentials: { username: g.user, password: g.password },
        })
        const page = await context.newPage()
        // The admin has the dashboard open: the browser now holds the credentials for the gateway.
        expect((await page.goto(`${g.url}/ui/`))?.status()).toBe(200)
        // localhost and 127.0.0.1 are different sites.
        const elsewhere = `http://localhost:${(site.address() as AddressInfo).port}`
        await page.goto(`${elsewhere}/form`)
        const submitted = page.waitForResponse(`${g.url}/system/functions`)
        await page.click('button')
        expect((await submitted).status()).toBe(403)
        expect(await exists('csrf-form')).toBe(false)

        // Chromium keeps cached credentials from these (its auth cache is partitioned by top-level site),
        // but not every browser does, and a gateway with authentication off needs none.
        await page.goto(elsewhere)
        await page.evaluate(
          async ({ gateway, bodies }) => {
            for (const [type, body] of bodies) {
              const init: RequestInit = { method: 'POST', mode: 'no-cors', credentials: 'include' }
              init.body = type === null ? new Blob([body]) : body
              if (type !== null) init.headers = { 'Content-Type': type }
              await fetch(`${gateway}/system/functions`, init)
            }
          },
          {
            gateway: g.url,
            bodies: [
              ['text/plain', deployment('csrf-plain')],
              [null, deployment('csrf-blob')],
            ] as Array<[string | null, string]>,
          },
        )
        for (const service of ['csrf-plain', 'csrf-blob']) expect(await exists(service)).toBe(false)
      } finally {
        await browser.close()
      }
    }, 60_000)
  },
)

describe.skipIf(!existsSync(FAAS_CLI))('the real faas-cli keeps working', () => {
  let home: string
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'edgefaas-faas-cli-'))
  })
  afterAll(() => rm(home, { recursive: true, force: true }))

  const cli = (args: string[], stdin?: string) =>
    faasCliOk([...args, '--gateway', g.url], { home, input: stdin, timeoutMs: 20_000 })

  it('login, deploy, list, invoke, secrets, namespaces, remove', async () => {
    await cli(['login', '--username', g.user, '--password-stdin'], g.password)
    expect(await cli(['deploy', '--image', 'x', '--name', 'cli-echo', '--fprocess', 'cat'])).toMatch(
      /Deployed/,
    )
    expect(await cli(['list'])).toContain('cli-echo')
    expect(await cli(['invoke', 'cli-echo'], 'hello from faas-cli')).toContain('hello from faas-cli')
    await cli(['secret', 'create', 'cli-secret', '--from-literal', 'one'])
    await cli(['secret', 'update', 'cli-secret', '--from-literal', 'two'])
    expect(await cli(['secret', 'list'])).toContain('cli-secret')
    await cli(['secret', 'remove', 'cli-secret'])
    expect(await cli(['secret', 'list'])).not.toContain('cli-secret')
    await cli(['namespace', 'create', 'cli-ns'])
    expect(await cli(['namespace', 'list'])).toContain('cli-ns')
    await cli(['namespace', 'remove', 'cli-ns'])
    expect(await cli(['namespace', 'list'])).not.toContain('cli-ns')
    await cli(['remove', 'cli-echo'])
    expect(await exists('cli-echo')).toBe(false)
  }, 60_000)
})
