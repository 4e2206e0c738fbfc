// biome-ignore-all lint/suspicious/noTemplateCurlyInString: stack files are written with ${VAR} in them
/**
 * A stack file from a laptop or CI, end to end, against real processes: a front-door gateway and two
 * backend edgefaas gateways (`npm start`'s process each), backends registered with `edgefaas backend
 * create`. Three functions (env from a file, a secret, labels, annotations, limits, one placed on both
 * backends) deploy with `edgefaas deploy --wait`; the real faas-cli deploying the same file gives the
 * same `GET /system/functions`; after editing one function and deleting another, `edgefaas plan` shows
 * exactly that change and (with --prune) that removal, changing nothing; `edgefaas apply --prune --yes`
 * makes it so.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionStatus } from '../../src/contract/types.ts'
import { type CliContext, cli } from '../harness/cli.ts'
import { FAAS_CLI, runFaasCli } from '../harness/faas-cli.ts'
import { freePort } from '../harness/free-port.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'

const PASSWORD = 'front-door-password'

const STACK = (gateway: string) => `version: 1.0
provider:
  name: openfaas
  gateway: ${gateway}
functions:
  greet:
    image: ghcr.io/example/greet:\${GREET_TAG:-1.0}
    fprocess: env
    environment:
      LEVEL: info
      INLINE: "yes"
    environment_file:
      - common.yml
    secrets:
      - api-key
    labels:
      team: web
      com.openfaas.scale.min: "1"
    annotations:
      edgefaas.dev/backends: "a=50,b=50"
      owner: web-team
    limits:
      memory: 128Mi
      cpu: 200m
    requests:
      memory: 64Mi
  echo:
    image: ghcr.io/example/echo:1.0
    fprocess: cat
    labels:
      team: api
    annotations:
      edgefaas.dev/backends: a
    limits:
      memory: 64Mi
  report:
    image: ghcr.io/example/report:1.0
    fprocess: cat
    annotations:
      edgefaas.dev/backends: b
`

/** What is compared between two deploys: the status without the times and live counters. */
function comparable(list: FunctionStatus[]) {
  return list
    .map(({ createdAt: _c, invocationCount: _i, ...rest }) => rest)
    .sort((x, y) => (x.name < y.name ? -1 : 1))
}

describe.skipIf(!existsSync(FAAS_CLI))(
  'a stack file deployed, planned and applied through a front door',
  () => {
    let root: string
    let front: GatewayProcess
    const backends: GatewayProcess[] = []
    let ctx: CliContext
    const run = (...args: string[]) => cli(ctx, args)
    const runIn = (stdin: string, ...args: string[]) => cli(ctx, args, stdin)
    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${front.url}${path}`, {
        headers: { authorization: `Basic ${btoa(`admin:${PASSWORD}`)}` },
      })
      expect(response.status, path).toBe(200)
      return (await response.json()) as T
    }
    const functions = () => api<FunctionStatus[]>('/system/functions')
    const allReady = async () =>
      (await functions()).every((f) => (f.replicas ?? 0) > 0 && f.availableReplicas === f.replicas)
    const faasCli = (args: string[]) => runFaasCli(args, { home: root, cwd: root })

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'edgefaas-cli-stack-'))
      // One after another: three gateways starting at once on a busy machine starve each other.
      const start = async (name: string) =>
        startGatewayProcess({
          EDGEFAAS_PORT: String(await freePort()),
          EDGEFAAS_DATA_DIR: join(root, `${name}-data`),
          EDGEFAAS_ADMIN_PASSWORD: name === 'front' ? PASSWORD : `${name}-password`,
          EDGEFAAS_RECONCILE_INTERVAL_MS: '300',
        })
      backends.push(await start('a'), await start('b'))
      front = await start('front')
      // No OPENFAAS_URL: the gateway comes from the stack file's provider.gateway, or --gateway.
      ctx = { cwd: root, env: { HOME: root, PATH: process.env.PATH } }
      expect((await runIn(PASSWORD, 'login', '-g', front.url, '--password-stdin')).code).toBe(0)
      await writeFile(join(root, 'common.yml'), 'environment:\n  GREETING: hello\n  LEVEL: debug\n')
      await writeFile(join(root, 'stack.yml'), STACK(front.url))
    }, 180_000)

    afterAll(async () => {
      await Promise.all([front?.stop(), ...backends.map((b) => b.stop())])
      await rm(root, { recursive: true, force: true })
    })

    it('backend create, list, get and update register the two backends', async () => {
      for (const [name, backend] of [
        ['a', backends[0]!],
        ['b', backends[1]!],
      ] as const) {
        const created = await runIn(
          `${name}-password`,
          'backend',
          'create',
          name,
          '--url',
          backend.url,
          '--username',
          'admin',
          '--password-stdin',
          '--label',
          `region=${name === 'a' ? 'eu' : 'us'}`,
          '-g',
          front.url,
        )
        expect(created, created.stderr).toMatchObject({ code: 0, stdout: `Created backend ${name}.\n` })
      }
      const duplicate = await runIn('x', 'backend', 'create', 'a', '--url', backends[0]!.url, '-g', front.url)
      expect(duplicate.code).toBe(1)
      expect(duplicate.stderr).toMatch(/409: backend "a" already exists/)
      expect((await run('backend', 'create', 'c', '-g', front.url)).code).toBe(2) // no --url
      const got = await run('backend', 'get', 'a', '-g', front.url)
      expect(got.stdout).toMatch(/Credentials:\s+basic\n/)
      expect(got.stdout).toMatch(/Reachable:\s+yes\n/)
      expect(got.stdout).not.toContain('a-password')
      const updated = await run(
        'backend',
        'update',
        'b',
        '--label',
        'region=us',
        '--label',
        'tier=spare',
        '-g',
        front.url,
      )
      expect(updated.code, updated.stderr).toBe(0)
      const b = JSON.parse((await run('backend', 'get', 'b', '--json', '-g', front.url)).stdout)
      // The update kept the credentials it could not read back.
      expect(b).toMatchObject({ labels: { region: 'us', tier: 'spare' }, credentials: { type: 'basic' } })
      const listed = await run('backend', 'ls', '-g', front.url)
      expect(listed.stdout).toMatch(
        /^NAME\s+KIND\s+REACHABLE\s+FUNCTIONS\s+LABELS\s+URL\na\s+openfaas\s+yes\s+0\s+region=eu/,
      )
      expect(listed.stdout).toMatch(/\nlocal( \(default\))?\s+local\s+/)
      expect(JSON.parse((await run('backend', 'list', '--json', '-g', front.url)).stdout)).toHaveLength(3)
    })

    let deployedByEdgefaas: ReturnType<typeof comparable>

    it('deploy -f stack.yml --wait: three functions ready, one on both backends, with env from a file and a secret', async () => {
      expect((await runIn('s3cr3t', 'secret', 'create', 'api-key', '-g', front.url)).code).toBe(0)
      const deployed = await run('deploy', '-f', 'stack.yml', '--wait', '--timeout', '90s')
      expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0)
      expect(deployed.stdout).toMatch(
        /Deploying: greet\.\nCreated greet\. URL: http:\/\/127\.0\.0\.1:\d+\/function\/greet/,
      )
      expect(deployed.stdout).toMatch(/Waiting up to 90s for 3 function\(s\):/)
      for (const name of ['greet', 'echo', 'report'])
        expect(deployed.stdout).toMatch(new RegExp(`  ${name}\\s+ready \\(`))

      const greet = (await functions()).find((f) => f.name === 'greet')
      expect(greet).toMatchObject({
        image: 'ghcr.io/example/greet:1.0',
        envProcess: 'env',
        envVars: { LEVEL: 'debug', INLINE: 'yes', GREETING: 'hello' },
        secrets: ['api-key'],
        labels: { team: 'web', 'com.openfaas.scale.min': '1', faas_function: 'greet' },
        annotations: { 'edgefaas.dev/backends': 'a=50,b=50', owner: 'web-team' },
        limits: { memory: '128Mi', cpu: '200m' },
        requests: { memory: '64Mi' },
        replicas: 2,
        availableReplicas: 2,
      })
      const rows = await api<Array<{ backend: string; status: string }>>('/system/deployments?name=greet')
      expect(rows.map((r) => `${r.backend}:${r.status}`).sort()).toEqual(['a:ready', 'b:ready'])
      const output = await runIn('', 'invoke', 'greet', '-g', front.url)
      expect(output.stdout).toContain('GREETING=hello')
      expect(output.stdout).toContain('LEVEL=debug') // the file wins over the inline value, as with faas-cli
      deployedByEdgefaas = comparable(await functions())
      expect(deployedByEdgefaas).toHaveLength(3)

      const plan = await run('plan')
      expect(plan.code).toBe(0)
      expect(plan.stdout).toMatch(
        /^No changes: http:\/\/127\.0\.0\.1:\d+ matches stack\.yml \(3 functions\)\.\n$/,
      )
    }, 120_000)

    it('the real faas-cli deploying the same stack.yml gives the same GET /system/functions', async () => {
      const removed = await run('remove', '-f', 'stack.yml')
      expect(removed.code, removed.stderr).toBe(0)
      await pollUntil('every function gone', async () => (await functions()).length === 0, 30_000)
      await pollUntil(
        'every copy gone from the backends',
        async () => (await api<unknown[]>('/system/deployments')).length === 0,
        30_000,
      )
      const deployed = await faasCli(['deploy', '-f', 'stack.yml'])
      expect(deployed.code, deployed.output).toBe(0)
      await pollUntil('faas-cli functions ready', allReady, 60_000)
      expect(comparable(await functions())).toEqual(deployedByEdgefaas)
      // And edgefaas sees nothing to do on what faas-cli deployed.
      expect((await run('plan', '--prune', '--exit-code')).code).toBe(0)
    }, 120_000)

    it('after editing one function and deleting another, plan shows exactly that, and changes nothing', async () => {
      const edited = STACK(front.url)
        .replace(
          'image: ghcr.io/example/echo:1.0',
          'image: ghcr.io/example/echo:1.1\n    environment:\n      MODE: fast',
        )
        .replace('      team: api', '      team: platform')
        .replace(/ {2}report:[\s\S]*$/, '')
      await writeFile(join(root, 'stack.yml'), edited)
      const before = await functions()

      const plan = await run('plan')
      expect(plan.code, plan.stderr).toBe(0)
      expect(plan.stdout).toBe(
        [
          `Plan for ${front.url} (stack.yml):`,
          '',
          '~ change  echo.openfaas-fn',
          '    image         "ghcr.io/example/echo:1.0" → "ghcr.io/example/echo:1.1"',
          '    envVars.MODE  (none) → "fast"',
          '    labels.team   "api" → "platform"',
          '',
          '0 to create, 1 to change, 0 to remove, 1 unchanged.',
          '',
        ].join('\n'),
      )
      const pruning = await run('plan', '--prune', '--json')
      expect(JSON.parse(pruning.stdout)).toEqual({
        gateway: front.url,
        changes: [
          {
            action: 'update',
            name: 'echo',
            namespace: 'openfaas-fn',
            fields: [
              { field: 'image', before: '"ghcr.io/example/echo:1.0"', after: '"ghcr.io/example/echo:1.1"' },
              { field: 'envVars.MODE', after: '"fast"' },
              { field: 'labels.team', before: '"api"', after: '"platform"' },
            ],
          },
          { action: 'remove', name: 'report', namespace: 'openfaas-fn' },
        ],
        unchanged: [{ name: 'greet', namespace: 'openfaas-fn' }],
        summary: { create: 0, update: 1, remove: 1, unchanged: 1 },
      })
      expect((await run('plan', '--prune')).stdout).toMatch(
        /- remove {2}report\.openfaas-fn\n\n0 to create, 1 to change, 1 to remove/,
      )
      expect((await run('plan', '--prune', '--exit-code')).code).toBe(3)
      // apply asks first; from a pipe it cannot, so without --yes it stops and changes nothing.
      const unconfirmed = await run('apply', '--prune')
      expect(unconfirmed.code).toBe(2)
      expect(unconfirmed.stderr).toMatch(/confirm with --yes/)
      expect(await functions()).toEqual(before)
    })

    it('apply --prune --yes makes it so; plan then shows no changes', async () => {
      const applied = await run('apply', '--prune', '--yes', '--wait', '--timeout', '60s')
      expect(applied.code, applied.stderr + applied.stdout).toBe(0)
      expect(applied.stdout).toMatch(/Changed echo\.openfaas-fn\.\nRemoved report\.openfaas-fn\./)
      expect(applied.stdout).toMatch(/Applied: 2 change\(s\)\.\n$/)
      await pollUntil(
        'report gone from b',
        async () =>
          (await api<Array<{ function: string }>>('/system/deployments')).every(
            (r) => r.function !== 'report',
          ),
        30_000,
      )
      const now = await functions()
      expect(now.map((f) => f.name).sort()).toEqual(['echo', 'greet'])
      expect(now.find((f) => f.name === 'echo')).toMatchObject({
        image: 'ghcr.io/example/echo:1.1',
        envVars: { MODE: 'fast' },
        labels: { team: 'platform', faas_function: 'echo' },
      })
      const after = await run('plan', '--prune', '--exit-code')
      expect(after.code).toBe(0)
      expect(after.stdout).toMatch(/^No changes: .* \(2 functions\)\.\n$/)
    }, 90_000)

    it('a failing deploy exits 1 naming the function; a backend that hosts functions cannot be removed', async () => {
      await writeFile(
        join(root, 'bad.yml'),
        'provider: {name: openfaas}\nfunctions:\n  lost:\n    image: x\n    annotations: {edgefaas.dev/backends: nowhere}\n',
      )
      const failed = await run('deploy', '-f', 'bad.yml', '-g', front.url)
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(
        /Failed lost: PUT \/system\/functions: 400: validation failed: unknown backend "nowhere"/,
      )
      expect(failed.stderr).toMatch(/1 of 1 function\(s\) failed\./)
      const hosted = await run('backend', 'remove', 'a', '-g', front.url)
      expect(hosted.code).toBe(1)
      expect(hosted.stderr).toMatch(
        /409: backend "a" still hosts 2 functions: echo\.openfaas-fn, greet\.openfaas-fn/,
      )
      expect((await run('backend', 'update', 'b', '--label', 'region=us', '-g', front.url)).code).toBe(0)
    })
  },
)
