/**
 * @module
 * How the local provider chooses and applies its sandbox: the fallback when bubblewrap is missing, and,
 * where bubblewrap works, what a sandboxed function can and cannot see.
 */
import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalProvider, type LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { expectProviderError, functionRequest, waitFor } from '../conformance/provider.suite.ts'
import {
  bwrapWorks,
  isRoot,
  quietLogger,
  removeDataDirs,
  setprivWorks,
  tempDataDir,
} from './local-helpers.ts'

const namespace = 'openfaas-fn'

/** Runs `run` with PATH set to `dir` alone, to hide bubblewrap (and setpriv unless `dir` holds it). */
function withPath<T>(dir: string, run: () => T): T {
  const saved = process.env.PATH
  process.env.PATH = dir
  try {
    return run()
  } finally {
    process.env.PATH = saved
  }
}

function whichSetpriv(): string {
  const dirs = (process.env.PATH ?? '').split(':')
  const found = dirs.map((dir) => path.join(dir, 'setpriv')).find((file) => fs.existsSync(file))
  if (!found) throw new Error('setpriv is not on PATH')
  return found
}

/** A logger that keeps every line, and the lines that say which isolation is in force. */
function collectingLogger() {
  const lines: string[] = []
  const logger = {
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  }
  return { logger, startLines: () => lines.filter((line) => line.startsWith('local functions:')) }
}

const UNPRIVILEGED_GATEWAY = fileURLToPath(new URL('./unprivileged-gateway.ts', import.meta.url))
const AS_NOBODY = ['--reuid', '65534', '--regid', '65534', '--clear-groups', '--']

/** Whether nobody can run a gateway from this checkout (not the case under /root), and bwrap as nobody. */
const nobodyCanRunGateway =
  setprivWorks && spawnSync('setpriv', [...AS_NOBODY, 'test', '-r', UNPRIVILEGED_GATEWAY]).status === 0
const nobodyCanRunBwrap =
  nobodyCanRunGateway &&
  spawnSync('setpriv', [...AS_NOBODY, 'bwrap', '--ro-bind', '/', '/', 'true']).status === 0

/** unprivileged-gateway.ts run as nobody with PATH `pathEnv`: what it chose and what `script` printed. */
function unprivilegedGateway(pathEnv: string, script: string): Promise<Record<string, string>> {
  const dataDir = tempDataDir()
  fs.chownSync(dataDir, 65534, 65534)
  const args = [...AS_NOBODY, process.execPath, '--disable-warning=ExperimentalWarning']
  args.push(UNPRIVILEGED_GATEWAY, dataDir, script)
  const options = { env: { PATH: pathEnv, HOME: dataDir }, cwd: dataDir, timeout: 30_000 }
  return new Promise((resolve, reject) => {
    execFile(whichSetpriv(), args, options, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as Record<string, string>)
    })
  })
}

const privateDirs: string[] = []

/** A folder only root can search, by default in the home folder (like a checkout under /root). */
function privateFolder(parent = os.homedir()): string {
  const dir = fs.mkdtempSync(path.join(parent, '.edgefaas-test-'))
  privateDirs.push(dir)
  fs.chmodSync(dir, 0o700)
  return dir
}

/**
 * This Node binary, linked into a folder only root can search (like a checkout under /root): functions
 * running as another user cannot reach it unless the sandbox binds it in.
 */
function nodeBehindPrivateFolder(parent?: string): string {
  const dir = privateFolder(parent)
  const node = path.join(dir, 'bin', 'node')
  fs.mkdirSync(path.dirname(node))
  try {
    fs.linkSync(fs.realpathSync(process.execPath), node)
  } catch {
    fs.copyFileSync(fs.realpathSync(process.execPath), node)
    fs.chmodSync(node, 0o755)
  }
  return node
}

afterAll(() => {
  for (const dir of privateDirs) fs.rmSync(dir, { recursive: true, force: true })
  removeDataDirs()
})

describe('local provider: sandbox choice', () => {
  it("under 'auto' without bubblewrap, runs functions as separate users when the gateway is root", async ({
    skip,
  }) => {
    if (!setprivWorks) skip()
    const onlySetpriv = tempDataDir()
    fs.symlinkSync(whichSetpriv(), path.join(onlySetpriv, 'setpriv'))
    const lines = collectingLogger()
    const provider = withPath(onlySetpriv, () =>
      createLocalProvider({ dataDir: tempDataDir(), sandbox: 'auto', logger: lines.logger }),
    )
    expect(provider.sandbox).toBe('user')
    expect(lines.startLines()).toEqual([
      expect.stringMatching(
        /^local functions: no sandbox \(bubblewrap \(bwrap\) not found.*\), each function as its own unprivileged uid/,
      ),
    ])
    await provider.close()
  })

  it("under 'auto' with neither bubblewrap nor a way to switch users, refuses and names the opt-out", () => {
    const dataDir = tempDataDir()
    expect(() =>
      withPath(tempDataDir(), () => createLocalProvider({ dataDir, sandbox: 'auto', logger: quietLogger })),
    ).toThrow(/bubblewrap \(bwrap\) not found.*EDGEFAAS_LOCAL_SANDBOX=none/s)
  })

  it("refuses to start when 'bwrap' is required but missing", () => {
    const dataDir = tempDataDir()
    expect(() =>
      withPath(tempDataDir(), () => createLocalProvider({ dataDir, sandbox: 'bwrap', logger: quietLogger })),
    ).toThrow(/bwrap/)
  })

  it.skipIf(!nobodyCanRunGateway)(
    'as a user other than root: no bubblewrap means refusing to start, naming the opt-out',
    async () => {
      const emptyPath = tempDataDir()
      fs.chownSync(emptyPath, 65534, 65534)
      const { error } = await unprivilegedGateway(emptyPath, 'true')
      expect(error).toMatch(
        /bubblewrap \(bwrap\) not found.*the gateway is not root.*EDGEFAAS_LOCAL_SANDBOX=none/s,
      )
    },
  )

  it.skipIf(!nobodyCanRunBwrap)(
    'as a user other than root: bubblewrap in a user namespace, still without capabilities',
    async () => {
      const script = 'id -u; grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status'
      const result = await unprivilegedGateway(process.env.PATH ?? '', script)
      expect(result.sandbox).toBe('bwrap')
      expect(result.output?.split('\n')).toEqual([
        '65534',
        'CapPrm:\t0000000000000000',
        'CapEff:\t0000000000000000',
        'NoNewPrivs:\t1',
        '',
      ])
    },
  )

  it('says in one line at start which isolation is in force', async () => {
    const none = collectingLogger()
    await createLocalProvider({ dataDir: tempDataDir(), sandbox: 'none', logger: none.logger }).close()
    expect(none.startLines()).toEqual([
      expect.stringMatching(
        /^local functions: no sandbox \(EDGEFAAS_LOCAL_SANDBOX=none\): functions run as the gateway user .*and can read its data folder/,
      ),
    ])
    if (!bwrapWorks || !isRoot) return
    const bwrap = collectingLogger()
    await createLocalProvider({ dataDir: tempDataDir(), sandbox: 'bwrap', logger: bwrap.logger }).close()
    expect(bwrap.startLines()).toEqual([
      expect.stringMatching(/^local functions: bubblewrap sandbox, no capabilities, uid 65534/),
    ])
  })

  it('removes the files of gateway processes that are gone, and its own on close()', async () => {
    const dataDir = tempDataDir()
    const stale = path.join(dataDir, 'local', '999999999')
    fs.mkdirSync(stale, { recursive: true })
    const provider = createLocalProvider({ dataDir, sandbox: 'none', logger: quietLogger })
    expect(fs.existsSync(stale)).toBe(false)
    await provider.close()
    expect(fs.readdirSync(path.join(dataDir, 'local'))).toEqual([])
  })
})

describe.skipIf(!bwrapWorks)('local provider: in bubblewrap', () => {
  let provider: LocalProvider
  let dataDir: string
  let counter = 0
  beforeAll(() => {
    dataDir = tempDataDir()
    provider = createLocalProvider({ dataDir, sandbox: 'bwrap', logger: quietLogger })
  })
  afterAll(() => provider.close())

  async function run(envProcess: string, secrets: Record<string, Uint8Array> = {}): Promise<Response> {
    const name = `sandboxed-${++counter}`
    const spec = { image: 'x', envProcess, secrets: Object.keys(secrets) }
    const desired: DesiredFunction = { name, namespace, spec, replicas: 1, generation: 1, secrets }
    await provider.apply(desired)
    await waitFor(
      'ready',
      () => provider.status(namespace, name),
      (s) => s?.availableReplicas === 1,
    )
    return provider.invoke(namespace, name, '/', functionRequest(name, '/', { method: 'POST' }))
  }

  it('is the chosen sandbox', () => {
    expect(provider.sandbox).toBe('bwrap')
  })

  it('shows a function only its own secrets, and the host read-only', async () => {
    const mine = new TextEncoder().encode('mine')
    await run('cat', { theirs: new TextEncoder().encode('theirs') })
    const listing = await run('ls /var/openfaas/secrets', { mine })
    expect((await listing.text()).trim()).toBe('mine')
    const write = await run('touch /usr/edgefaas-sandbox-probe')
    expect(write.status).toBe(500)
    expect(await write.text()).toContain('Read-only file system')
    expect((await run('touch /tmp/scratch')).status).toBe(200)
  })

  for (const [where, parent] of [
    ['the home folder', os.homedir()],
    ['/tmp', os.tmpdir()],
  ] as const) {
    it(`runs a Node.js binary kept in a folder under ${where} that only root can search`, async ({
      skip,
    }) => {
      if (!isRoot) skip()
      const nodePath = nodeBehindPrivateFolder(parent)
      const options = { dataDir: tempDataDir(), sandbox: 'bwrap', logger: quietLogger, nodePath } as const
      const privateNode = createLocalProvider(options)
      try {
        const spec = { image: 'x', envProcess: 'id -u' }
        const desired = { name: 'private-node', namespace, spec, replicas: 1, generation: 1, secrets: {} }
        await privateNode.apply(desired)
        const ready = () => privateNode.status(namespace, desired.name)
        await waitFor('ready', ready, (s) => s?.availableReplicas === 1)
        const request = functionRequest(desired.name, '/', { method: 'POST' })
        const response = await privateNode.invoke(namespace, desired.name, '/', request)
        expect(await response.text()).toBe('65534\n')
      } finally {
        await privateNode.close()
      }
    })
  }

  it('hides the data dir from functions', async () => {
    // The private /tmp is empty, but for edgefaas's own folder when the checkout itself lives under /tmp.
    const checkout = fs.realpathSync(fileURLToPath(new URL('../..', import.meta.url)))
    const expected = checkout.startsWith('/tmp/') ? `${checkout.split('/')[2]}\n` : ''
    expect(await (await run('ls -A /tmp')).text()).toBe(expected)
    expect((await run(`ls -A ${dataDir}`)).status).toBe(500)
    await expectProviderError(provider.scale(namespace, 'absent', 1), 'NOT_FOUND')
  })
})

describe.skipIf(!setprivWorks)('local provider: separate users', () => {
  it('gives each function its own uid', async () => {
    const provider = createLocalProvider({ dataDir: tempDataDir(), sandbox: 'user', logger: quietLogger })
    try {
      const uids = new Set<string>()
      for (const name of ['uid-a', 'uid-b']) {
        const desired = {
          name,
          namespace,
          spec: { image: 'x', envProcess: 'id -u' },
          replicas: 1,
          generation: 1,
          secrets: {},
        }
        await provider.apply(desired)
        await waitFor(
          'ready',
          () => provider.status(namespace, name),
          (s) => s?.availableReplicas === 1,
        )
        const response = await provider.invoke(
          namespace,
          name,
          '/',
          functionRequest(name, '/', { method: 'POST' }),
        )
        uids.add((await response.text()).trim())
      }
      expect(uids.size).toBe(2)
      expect(uids.has('0')).toBe(false)
    } finally {
      await provider.close()
    }
  })

  it('refuses to start when the function users cannot reach their folders, and says why', () => {
    const runDir = path.join(privateFolder(), 'run')
    const dataDir = tempDataDir()
    expect(() => createLocalProvider({ dataDir, sandbox: 'user', logger: quietLogger, runDir })).toThrow(
      /cannot reach .*EACCES.*install bubblewrap/s,
    )
  })
})
