/**
 * Reading stack files as faas-cli does: substitution, Go-like scalars (versions and numbers stay as
 * written), the schema's messages naming the field, environment files merged in faas-cli's order, and
 * the FunctionDeployment faas-cli would send.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: stack files are written with ${VAR} in them
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toDeployment } from '../../src/cli/stack/deployment.ts'
import { envsubst } from '../../src/cli/stack/envsubst.ts'
import { loadStack } from '../../src/cli/stack/load.ts'

describe('envsubst', () => {
  const env = { SET: 'v', EMPTY: '' }
  it.each([
    ['$SET and ${SET}', 'v and v'],
    ['${UNSET:-d} ${EMPTY:-d} ${SET:-d}', 'd d v'],
    ['${UNSET-d} ${EMPTY-d}', 'd '],
    ['${UNSET:=d} ${SET:+alt} ${EMPTY:+alt} ${UNSET+alt}', 'd alt  '],
    ['${UNSET:-${SET}}', 'v'],
    ['$$SET costs $5 and ends with $', '$SET costs $5 and ends with $'],
    ['image: ghcr.io/x/api:${TAG:-latest}', 'image: ghcr.io/x/api:latest'],
  ])('%s', (input, output) => {
    expect(envsubst(input, env)).toBe(output)
  })
  it('refuses what it cannot substitute, naming it', () => {
    expect(() => envsubst('${SET^^}', env)).toThrow(/"\$\{SET\^\^\}" is not supported/)
    expect(() => envsubst('${SET', env)).toThrow(/unclosed/)
  })
})

describe('loadStack and toDeployment', () => {
  let dir: string
  const write = (name: string, text: string) => writeFile(join(dir, name), text)
  const load = (file: string, extra: Partial<Parameters<typeof loadStack>[0]> = {}) =>
    loadStack({ file, env: { TAG: '2.0' }, cwd: dir, ...extra })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgefaas-stack-'))
    await write('env-a.yml', 'environment:\n  FROM_A: a\n  SHARED: a\n  PORT: 0800\n')
    await write('env-b.yml', 'environment:\n  SHARED: b\n')
    await write(
      'stack.yml',
      [
        'version: 1.0',
        'provider:',
        '  name: openfaas',
        '  gateway: http://gw.example:8080',
        'functions:',
        '  api:',
        '    lang: dockerfile',
        '    image: ghcr.io/x/api:${TAG:-latest}',
        '    fprocess: cat',
        '    environment:',
        '      SHARED: inline',
        '      INLINE: 1.10',
        '    environment_file: [env-a.yml, env-b.yml]',
        '    secrets: [api-key]',
        '    labels: { com.openfaas.scale.min: 2 }',
        '    annotations:',
        '      edgefaas.dev/backends: "a=50,b=50"',
        '    limits: { memory: 128Mi, cpu: 100m }',
        '    requests: { memory: "" }',
        '    constraints: ["node=edge"]',
        '    namespace: staging',
        '    readonly_root_filesystem: true',
        '  web:',
        '    image: web:1',
        '',
      ].join('\n'),
    )
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('gives the body faas-cli sends', async () => {
    const stack = await load('stack.yml')
    expect(stack.provider.gateway).toBe('http://gw.example:8080')
    const [api, web] = await Promise.all(stack.functions.map((f) => toDeployment(f, stack, dir)))
    expect(api).toEqual({
      service: 'api',
      image: 'ghcr.io/x/api:2.0',
      namespace: 'staging',
      envProcess: 'cat',
      // Files win over inline values; the later file wins; scalars stay as written.
      envVars: { SHARED: 'b', INLINE: '1.10', FROM_A: 'a', PORT: '0800' },
      constraints: ['node=edge'],
      secrets: ['api-key'],
      labels: { 'com.openfaas.scale.min': '2' },
      annotations: { 'edgefaas.dev/backends': 'a=50,b=50' },
      limits: { memory: '128Mi', cpu: '100m' },
      readOnlyRootFilesystem: true,
    })
    expect(web).toEqual({ service: 'web', image: 'web:1', labels: {}, annotations: {} })
    expect((await toDeployment(stack.functions[1]!, stack, dir, { namespace: 'prod' })).namespace).toBe(
      'prod',
    )
  })

  it("applies faas-cli's deploy flags over the stack file as faas-cli does", async () => {
    const stack = await load('stack.yml')
    const [api, web] = stack.functions
    const overrides = {
      env: { SHARED: 'flag', NEW: 'n' },
      labels: { team: 'x', 'com.openfaas.scale.min': '3' },
      annotations: { extra: 'y' },
      secrets: ['db', 'api-key'],
      constraints: ['zone=b'],
      readOnly: true,
    }
    const a = await toDeployment(api!, stack, dir, overrides)
    expect(a.envVars).toMatchObject({ SHARED: 'flag', NEW: 'n', FROM_A: 'a' })
    expect(a.labels).toEqual({ 'com.openfaas.scale.min': '3', team: 'x' })
    expect(a.annotations).toEqual({ 'edgefaas.dev/backends': 'a=50,b=50', extra: 'y' })
    expect(a.secrets).toEqual(['db', 'api-key'])
    expect(a.constraints).toEqual(['node=edge']) // the stack's win where it sets them
    const w = await toDeployment(web!, stack, dir, overrides)
    expect(w).toMatchObject({
      constraints: ['zone=b'],
      secrets: ['db', 'api-key'],
      readOnlyRootFilesystem: true,
    })
  })

  it('selects with --filter or --regex, and says when nothing matches', async () => {
    expect((await load('stack.yml', { filter: 'a*' })).functions.map((f) => f.name)).toEqual(['api'])
    expect((await load('stack.yml', { regex: 'e.$' })).functions.map((f) => f.name)).toEqual(['web'])
    await expect(load('stack.yml', { filter: 'zzz*' })).rejects.toThrow(
      /no function in stack.yml matches --filter "zzz\*"; functions: api, web/,
    )
    await expect(load('stack.yml', { filter: 'a', regex: 'b' })).rejects.toThrow(
      /--filter or --regex, not both/,
    )
  })

  it.each([
    ['provider:\n  name: faas\nfunctions: {}\n', /provider.name: must be "openfaas" \(found "faas"\)/],
    ['version: 2.0\nprovider: {name: openfaas}\n', /version: "2.0" is not supported/],
    [
      'provider: {name: openfaas}\nfunctions:\n  Bad_Name: {image: x}\n',
      /functions.Bad_Name: "Bad_Name" is not a valid function name/,
    ],
    ['provider: {name: openfaas}\nfunctions:\n  a: {fprocess: cat}\n', /functions.a.image: is required/],
    [
      'provider: {name: openfaas}\nfunctions:\n  a: {image: x, labels: [a]}\n',
      /functions.a.labels: must be a mapping/,
    ],
    [
      'provider: {name: openfaas}\nfunctions:\n  a: {image: x, readonly_root_filesystem: maybe}\n',
      /readonly_root_filesystem: must be true or false/,
    ],
    [
      'provider: {name: openfaas}\nfunctions:\n  a: {image: x, limits: {memory: [1]}}\n',
      /functions.a.limits.memory: must be a string/,
    ],
    ['provider: {name: openfaas\n', /bad.yml: /],
  ])('a bad file names the field: %s', async (text, message) => {
    await write('bad.yml', text)
    await expect(load('bad.yml')).rejects.toThrow(message)
  })

  it('an environment file that is missing names the function and the path rule', async () => {
    await write(
      'missing-env.yml',
      'provider: {name: openfaas}\nfunctions:\n  a: {image: x, environment_file: [nope.yml]}\n',
    )
    const stack = await load('missing-env.yml')
    await expect(toDeployment(stack.functions[0]!, stack, dir)).rejects.toThrow(
      /functions.a.environment_file: cannot read nope.yml \(ENOENT\)/,
    )
  })

  it('finds ./stack.yaml or ./stack.yml when no file is given, and says where it looked', async () => {
    expect((await loadStack({ env: {}, cwd: dir })).source).toBe('stack.yml')
    const empty = await mkdtemp(join(tmpdir(), 'edgefaas-nostack-'))
    await expect(loadStack({ env: {}, cwd: empty })).rejects.toThrow(/no stack file: give one with -f/)
    await rm(empty, { recursive: true })
  })
})
