/**
 * edgefaas in front of other OpenFaaS gateways, with real parts: a front-door gateway and two backend
 * edgefaas gateways run as `npm start` processes, registered through `/system/backends` (kind
 * `openfaas`, basic auth), driven by the real faas-cli. A function placed `a=50,b=50` runs on both and
 * faas-cli sees one function with the replicas summed; a backend killed and restarted on an empty data
 * folder gets its functions back from the reconciler within 10 s; a backend down during a deploy is
 * caught up when it returns; changing the placement moves the function.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAAS_CLI, faasCliOk } from '../harness/faas-cli.ts'
import { freePort } from '../harness/free-port.ts'
import { type GatewayProcess, startGatewayProcess } from '../harness/gateway-process.ts'
import { startTestGateway, type TestGateway } from '../harness/node-gateway.ts'
import { pollUntil } from '../harness/poll.ts'

const NS = 'openfaas-fn'

/** A backend edgefaas as its own process, restartable on the same port with a fresh data folder. */
class Backend {
  process: GatewayProcess | null = null
  readonly name: string
  readonly port: number
  readonly root: string
  readonly password: string
  constructor(name: string, port: number, root: string) {
    this.name = name
    this.port = port
    this.root = root
    this.password = `${name}-backend-password`
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }
  async start(): Promise<void> {
    // A new data folder each time: the backend forgets every function, as after a disk loss.
    const dataDir = await mkdtemp(join(this.root, `${this.name}-data-`))
    this.process = await startGatewayProcess({
      EDGEFAAS_PORT: String(this.port),
      EDGEFAAS_DATA_DIR: dataDir,
      EDGEFAAS_ADMIN_PASSWORD: this.password,
      EDGEFAAS_RECONCILE_INTERVAL_MS: '500',
    })
  }
  async kill(): Promise<void> {
    await this.process?.stop('SIGKILL')
    this.process = null
  }
  /** The function as this backend reports it, or null when it does not have it. */
  async status(name: string): Promise<{ replicas?: number; availableReplicas?: number } | null> {
    const response = await fetch(`${this.url}/system/function/${name}?namespace=${NS}`, {
      headers: { authorization: `Basic ${btoa(`admin:${this.password}`)}` },
    })
    if (response.status === 404) return null
    if (!response.ok) throw new Error(`${this.name} answered ${response.status}`)
    return (await response.json()) as { replicas?: number; availableReplicas?: number }
  }
}

describe.skipIf(!existsSync(FAAS_CLI))('a front door over two backend edgefaas gateways', () => {
  let root: string
  let home: string
  let front: TestGateway
  let a: Backend
  let b: Backend

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${front.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${btoa(`${front.user}:${front.password}`)}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const faasCli = (args: string[], stdin = '') => faasCliOk(args, { home, input: stdin, timeoutMs: 30_000 })
  const deployWithCli = async (name: string, placement: string) => {
    const stack = join(home, `${name}.yml`)
    await writeFile(
      stack,
      [
        'version: 1.0',
        'provider:',
        '  name: openfaas',
        `  gateway: ${front.url}`,
        'functions:',
        `  ${name}:`,
        '    image: ghcr.io/example/echo:latest',
        '    fprocess: cat',
        '    annotations:',
        `      edgefaas.dev/backends: "${placement}"`,
        '',
      ].join('\n'),
    )
    return faasCli(['deploy', '-f', stack])
  }
  const deployments = async (name: string) =>
    (
      (await (await api('GET', `/system/deployments?name=${name}`)).json()) as Array<{
        backend: string
        status: string
        lastError: string | null
      }>
    )
      .map((d) => `${d.backend}:${d.status}`)
      .sort()

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'edgefaas-front-door-'))
    home = await mkdtemp(join(tmpdir(), 'edgefaas-front-door-cli-'))
    a = new Backend('a', await freePort(), root)
    b = new Backend('b', await freePort(), root)
    await Promise.all([a.start(), b.start()])
    front = await startTestGateway({ EDGEFAAS_RECONCILE_INTERVAL_MS: '300' })
    for (const backend of [a, b]) {
      const created = await api('POST', '/system/backends', {
        name: backend.name,
        kind: 'openfaas',
        url: backend.url,
        credentials: { username: 'admin', password: backend.password },
      })
      expect(created.status, await created.clone().text()).toBe(201)
    }
    await faasCli(['login', '-g', front.url, '-u', front.user, '--password-stdin'], front.password)
  }, 90_000)

  afterAll(async () => {
    await front?.close()
    await Promise.all([a?.kill(), b?.kill()])
    await rm(root, { recursive: true, force: true })
    await rm(home, { recursive: true, force: true })
  })

  it('deploys a=50,b=50 on both backends; faas-cli lists, describes with replicas summed, and invokes', async () => {
    expect(await deployWithCli('both', 'a=50,b=50')).toMatch(/Deployed\. 202 Accepted/)
    await pollUntil(
      'the function to run on both backends',
      async () =>
        (await a.status('both'))?.availableReplicas === 1 &&
        (await b.status('both'))?.availableReplicas === 1,
      15_000,
    )
    expect(await deployments('both')).toEqual(['a:ready', 'b:ready'])

    const describe = await faasCli(['describe', 'both', '-g', front.url])
    expect(describe).toMatch(/Replicas:\s+2\b/)
    expect(describe).toMatch(/Available (r|R)eplicas:\s+2\b/)
    expect(await faasCli(['list', '-g', front.url])).toMatch(/both\s+\d+\s+2/)
    expect(await faasCli(['invoke', 'both', '-g', front.url], 'through the front door')).toContain(
      'through the front door',
    )
  }, 60_000)

  it('gives the function back to a backend restarted on an empty data folder within 10 s', async () => {
    await b.kill()
    await b.start()
    expect(await b.status('both')).toBeNull()
    const restarted = Date.now()
    await pollUntil(
      'the reconciler to deploy the function on b again',
      async () => (await b.status('both')) !== null,
      10_000,
    )
    expect(Date.now() - restarted).toBeLessThan(10_000)
    await pollUntil('b to run it', async () => (await b.status('both'))?.availableReplicas === 1, 10_000)
  }, 40_000)

  it('catches up a backend that was down during the deploy', async () => {
    await b.kill()
    const deployed = await api('POST', '/system/functions', {
      service: 'late',
      image: 'ghcr.io/example/echo:latest',
      envProcess: 'cat',
      annotations: { 'edgefaas.dev/backends': 'a,b' },
    })
    expect(deployed.status).toBe(202)
    expect(await a.status('late')).not.toBeNull()
    const rows = (await (await api('GET', '/system/deployments?name=late')).json()) as Array<{
      backend: string
      status: string
      lastError: string | null
    }>
    expect(rows.find((r) => r.backend === 'b')).toMatchObject({
      status: 'error',
      lastError: expect.any(String),
    })
    const health = (await (await api('GET', '/system/backends/b')).json()) as { health: unknown }
    expect(health.health).toMatchObject({ reachable: false })

    await b.start()
    await pollUntil('b to get the function it missed', async () => (await b.status('late')) !== null, 10_000)
    await pollUntil(
      'the deployment on b to be ready',
      async () => (await deployments('late')).join() === 'a:ready,b:ready',
      10_000,
    )
  }, 40_000)

  it('moves the function when its placement changes: on the new backend first, then off the old', async () => {
    expect(await deployWithCli('both', 'b')).toMatch(/Deployed\. 202 Accepted/)
    await pollUntil('the function to leave a', async () => (await a.status('both')) === null, 10_000)
    expect(await b.status('both')).not.toBeNull()
    expect(await deployments('both')).toEqual(['b:ready'])
    expect(await faasCli(['describe', 'both', '-g', front.url])).toMatch(/Replicas:\s+1\b/)
  }, 40_000)

  it('refuses to delete a backend that still hosts functions; faas-cli remove takes them off every backend', async () => {
    const refused = await api('DELETE', '/system/backends/b')
    expect(refused.status).toBe(409)
    expect(await refused.text()).toMatch(
      /backend "b" still hosts 2 functions: both\.openfaas-fn, late\.openfaas-fn/,
    )
    await faasCli(['remove', 'both', '-g', front.url])
    await faasCli(['remove', 'late', '-g', front.url])
    await pollUntil(
      'the functions to be gone from both backends',
      async () =>
        (await a.status('late')) === null &&
        (await b.status('late')) === null &&
        (await b.status('both')) === null,
      10_000,
    )
    expect((await api('DELETE', '/system/backends/b')).status).toBe(204)
  }, 40_000)
})
