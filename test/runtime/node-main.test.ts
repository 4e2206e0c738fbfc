/**
 * `npm start` as a newcomer runs it: a child process on the embedded defaults (temp data folder, free
 * port). It must print its URL and the generated credentials once, store them 0600, serve the API, and
 * stop on SIGTERM leaving no function process behind.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../harness/free-port.ts'
import { startGatewayProcess } from '../harness/gateway-process.ts'
import { pollUntil } from '../harness/poll.ts'
import { accepting, alive, childPids, descendants } from '../harness/processes.ts'

const MAIN = fileURLToPath(new URL('../../src/runtime/node/main.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('npm start (src/runtime/node/main.ts)', () => {
  let dataDir: string
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edgefaas-main-'))
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('prints its URL and generated credentials once, saves them 0600, and stops cleanly on SIGTERM', async () => {
    const first = await startGatewayProcess({ EDGEFAAS_DATA_DIR: dataDir })
    const saved = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as {
      user: string
      password: string
    }
    expect(first.output()).toContain(`admin password: ${saved.password}`)
    expect((await stat(join(dataDir, 'admin-credentials.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dataDir, 'secrets.key'))).mode & 0o777).toBe(0o600)

    const auth = { authorization: `Basic ${btoa(`${saved.user}:${saved.password}`)}` }
    const deploy = await fetch(`${first.url}/system/functions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'pair',
        image: 'img',
        envProcess: 'cat',
        labels: { 'com.openfaas.scale.min': '2' },
      }),
    })
    expect(deploy.status).toBe(202)
    const instances = await waitForInstances(first.url, auth, 'pair', 2, first.child.pid ?? -1)
    expect(instances.every(alive)).toBe(true)

    expect(await first.stop()).toBe(0)
    await expect.poll(() => instances.filter(alive), { timeout: 5000 }).toEqual([])

    const second = await startGatewayProcess({ EDGEFAAS_DATA_DIR: dataDir })
    expect(second.output()).not.toContain(saved.password)
    expect(second.output()).toContain('password in')
    // The function comes back from desired state after a restart.
    await waitForInstances(second.url, auth, 'pair', 2, second.child.pid ?? -1)
    expect(await second.stop()).toBe(0)
  })

  // npm runs the script through `sh -c`, and dash does not exec the last command: without `exec` in the
  // script, SIGTERM to npm killed the shell and left the gateway running as an orphan, holding the port.
  it('`kill <pid of npm start>` stops the gateway: the port closes and no process is left', async () => {
    const port = await freePort()
    const home = await mkdtemp(join(tmpdir(), 'edgefaas-npm-home-'))
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        EDGEFAAS_PORT: String(port),
        EDGEFAAS_DATA_DIR: join(dataDir, 'npm-start'),
        EDGEFAAS_LOCAL_SANDBOX: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    npm.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    npm.stderr?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const npmExited = new Promise((resolve) => npm.once('exit', resolve))
    let tree: number[] = []
    try {
      await pollUntil('npm start to listen', async () => /log in:/.test(out), 30_000).catch((error) => {
        throw new Error(`${error}\n${out}`)
      })
      tree = await descendants(npm.pid ?? -1)
      expect(tree.length).toBeGreaterThan(0)
      expect(await accepting(port)).toBe(true)

      process.kill(npm.pid ?? -1, 'SIGTERM')
      await pollUntil('the port to close and every process to end', async () => {
        return !(await accepting(port)) && tree.every((pid) => !alive(pid))
      })
      await npmExited
    } finally {
      // An orphan is no longer below npm: kill what was seen below it too.
      for (const pid of new Set([...tree, ...(await descendants(npm.pid ?? -1))])) {
        if (alive(pid)) process.kill(pid, 'SIGKILL')
      }
      if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL')
      await rm(home, { recursive: true, force: true })
    }
  })

  it('refuses bad configuration with a message naming the variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, EDGEFAAS_PORT: 'http' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(2)
    expect(err).toMatch(/EDGEFAAS_PORT: must be a whole number/)
  })
})

/** Polls until the function reports `count` available replicas and the gateway has `count` replica processes. */
async function waitForInstances(
  url: string,
  headers: Record<string, string>,
  name: string,
  count: number,
  parent: number,
): Promise<number[]> {
  let pids: number[] = []
  await expect
    .poll(
      async () => {
        const res = await fetch(`${url}/system/function/${name}`, { headers })
        const status = (await res.json()) as { availableReplicas?: number }
        pids = await childPids(parent)
        return status.availableReplicas === count && pids.length === count
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBe(true)
  return pids
}
