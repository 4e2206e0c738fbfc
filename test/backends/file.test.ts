// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` references in the backends file are the subject here
/**
 * EDGEFAAS_BACKENDS_FILE: backends as YAML, upserted into the store when a Node gateway starts, with
 * `${NAME}` taken from the environment; the file wins over API edits for the backends it names on every
 * start; a file that cannot be used stops the start with a message naming the entry and field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseBackendsFile } from '../../src/backends/file.ts'
import { loadConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/logger.ts'
import { startGateway } from '../../src/runtime/node/gateway.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'

const parse = (text: string, env: Record<string, string> = {}) => parseBackendsFile(text, env, 'openfaas-fn')

describe('parseBackendsFile', () => {
  it('reads the API schema and substitutes ${NAME} from the environment', () => {
    const backends = parse(
      [
        'backends:',
        '  - name: eu',
        '    kind: openfaas',
        '    url: https://gw.eu.example',
        '    credentials: { username: admin, password: "${EU_PASSWORD}" }',
        '    labels: { region: eu }',
        '    default: true',
        '  - name: us',
        '    kind: openfaas',
        '    url: https://gw.us.example',
        '    credentials:',
        '      token: "pre-${US_TOKEN}-$${literal}"',
        '    options: { capabilities: { scaleToZero: false } }',
      ].join('\n'),
      { EU_PASSWORD: 'from env: "quoted" # not a comment', US_TOKEN: 'abc' },
    )
    expect(backends).toEqual([
      {
        name: 'eu',
        kind: 'openfaas',
        url: 'https://gw.eu.example',
        credentials: { username: 'admin', password: 'from env: "quoted" # not a comment' },
        labels: { region: 'eu' },
        default: true,
      },
      {
        name: 'us',
        kind: 'openfaas',
        url: 'https://gw.us.example',
        credentials: { token: 'pre-abc-${literal}' },
        options: { capabilities: { scaleToZero: false } },
      },
    ])
  })

  it.each([
    ['not YAML', 'backends: [', /not valid YAML/],
    ['no backends list', 'eu: {}', /expected a top-level "backends:" list/],
    [
      'an unset variable',
      'backends:\n  - {name: a, kind: openfaas, url: "https://${NOPE}.example"}',
      /backends\[0\]\.url: environment variable NOPE is not set/,
    ],
    [
      'a bad reference',
      'backends:\n  - {name: a, kind: openfaas, url: "https://${a b}.example"}',
      /must hold an environment variable name/,
    ],
    ['a missing url', 'backends:\n  - {name: a, kind: openfaas}', /backends\[0\]: url: is required/],
    [
      'a misspelt field',
      'backends:\n  - {name: a, kind: openfaas, url: "https://a.example", lables: {}}',
      /backends\[0\]: body: Unrecognized key: "lables"/,
    ],
    [
      'the built-in name',
      'backends:\n  - {name: local, kind: openfaas, url: "https://a.example"}',
      /backends\[0\]: name: "local" is the built-in/,
    ],
    [
      'a name twice',
      'backends:\n  - {name: a, kind: openfaas, url: "https://a.example"}\n  - {name: a, kind: openfaas, url: "https://b.example"}',
      /backends\[1\]: name: backend "a" is listed twice/,
    ],
    [
      'two defaults',
      'backends:\n  - {name: a, kind: openfaas, url: "https://a.example", default: true}\n  - {name: b, kind: openfaas, url: "https://b.example", default: true}',
      /more than one backend is marked "default: true" \(a, b\)/,
    ],
  ])('refuses %s, naming the entry and field', (_what, text, message) => {
    expect(() => parse(text)).toThrow(message)
  })
})

describe('seeding at start', () => {
  let dir: string
  let backend: TestGateway
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgefaas-backends-file-'))
    backend = await startTestGateway({ EDGEFAAS_ADMIN_PASSWORD: 'seeded-backend-pw' })
  })
  afterAll(async () => {
    await backend?.close()
    await rm(dir, { recursive: true, force: true })
  })

  const configFor = (file: string, dataDir: string) =>
    loadConfig({
      EDGEFAAS_PORT: '0',
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: 'front-door-password',
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      EDGEFAAS_BACKENDS_FILE: file,
    })

  it('upserts the file at every start, the file winning over API edits for the backends it names', async () => {
    const file = join(dir, 'backends.yaml')
    await writeFile(
      file,
      `backends:\n  - name: seeded\n    kind: openfaas\n    url: ${backend.url}\n    credentials: { username: admin, password: "\${SEEDED_PASSWORD}" }\n    labels: { region: eu }\n    default: true\n`,
    )
    const dataDir = join(dir, 'data')
    const env = { SEEDED_PASSWORD: 'seeded-backend-pw' }
    let g = await startGateway(configFor(file, dataDir), silentLogger, { env })
    const auth = {
      authorization: `Basic ${btoa('admin:front-door-password')}`,
      'content-type': 'application/json',
    }
    try {
      const shown = await (await fetch(`${g.url}/system/backends/seeded`, { headers: auth })).json()
      expect(shown).toMatchObject({
        name: 'seeded',
        url: backend.url,
        labels: { region: 'eu' },
        default: true,
        credentials: { type: 'basic' },
        health: { reachable: true },
      })
      // The seeded credentials work: a function without the annotation goes to the default, `seeded`.
      const deploy = await fetch(`${g.url}/system/functions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ service: 'seeded-fn', image: 'functions/alpine', envProcess: 'cat' }),
      })
      expect(deploy.status).toBe(202)
      const rows = await (await fetch(`${g.url}/system/deployments?name=seeded-fn`, { headers: auth })).json()
      expect(rows).toMatchObject([{ backend: 'seeded', status: 'ready', lastError: null }])
      const replaced = await fetch(`${g.url}/system/backends/seeded`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ kind: 'openfaas', url: backend.url, labels: { region: 'edited' } }),
      })
      expect(replaced.status).toBe(200)
    } finally {
      await g.close()
    }
    g = await startGateway(configFor(file, dataDir), silentLogger, { env })
    try {
      const shown = await (await fetch(`${g.url}/system/backends/seeded`, { headers: auth })).json()
      expect(shown).toMatchObject({ labels: { region: 'eu' }, default: true })
    } finally {
      await g.close()
    }
  })

  it('stops the start with a message naming the file, the entry and the field', async () => {
    const file = join(dir, 'bad.yaml')
    await writeFile(file, 'backends:\n  - name: eu\n    kind: openfaas\n    url: ftp://gw.eu.example\n')
    await expect(startGateway(configFor(file, join(dir, 'data-bad')), silentLogger)).rejects.toThrow(
      `EDGEFAAS_BACKENDS_FILE ${file}: backends[0]: url: must start with http:// or https://`,
    )
    const missing = join(dir, 'missing.yaml')
    await expect(startGateway(configFor(missing, join(dir, 'data-missing')), silentLogger)).rejects.toThrow(
      `EDGEFAAS_BACKENDS_FILE ${missing}: cannot be read (ENOENT)`,
    )
  })
})
