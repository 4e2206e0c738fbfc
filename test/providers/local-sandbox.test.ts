/**
 * @module
 * How the local provider chooses and applies its sandbox: the fallback when bubblewrap is missing, and,
 * where bubblewrap works, what a sandboxed function can and cannot see.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalProvider, type LocalProvider } from '../../providers/local/index.ts'
import type { DesiredFunction } from '../../providers/types.ts'
import { expectProviderError, functionRequest, waitFor } from '../conformance/provider.suite.ts'
import { bwrapWorks, quietLogger, removeDataDirs, tempDataDir } from './local-helpers.ts'

const namespace = 'openfaas-fn'

function withoutBwrapOnPath<T>(run: () => T): T {
  const saved = process.env.PATH
  process.env.PATH = tempDataDir()
  try {
    return run()
  } finally {
    process.env.PATH = saved
  }
}

afterAll(removeDataDirs)

describe('local provider: sandbox choice', () => {
  it("falls back to no sandbox under 'auto' and says how to get one", async () => {
    const warnings: string[] = []
    const dataDir = tempDataDir()
    const logger = { ...quietLogger, warn: (message: string) => warnings.push(message) }
    const provider = withoutBwrapOnPath(() => createLocalProvider({ dataDir, sandbox: 'auto', logger }))
    expect(provider.sandbox).toBe('none')
    expect(warnings.join('\n')).toContain(
      'running functions without a sandbox: bubblewrap (bwrap) not found; apt-get install bubblewrap',
    )
    await provider.close()
  })

  it("refuses to start when 'bwrap' is required but missing", () => {
    const dataDir = tempDataDir()
    expect(() =>
      withoutBwrapOnPath(() => createLocalProvider({ dataDir, sandbox: 'bwrap', logger: quietLogger })),
    ).toThrow(/bwrap/)
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

  it('hides the data dir from functions', async () => {
    // The private /tmp is empty, but for edgefaas's own folder when the checkout itself lives under /tmp.
    const checkout = fs.realpathSync(fileURLToPath(new URL('../..', import.meta.url)))
    const expected = checkout.startsWith('/tmp/') ? `${checkout.split('/')[2]}\n` : ''
    expect(await (await run('ls -A /tmp')).text()).toBe(expected)
    expect((await run(`ls -A ${dataDir}`)).status).toBe(500)
    await expectProviderError(provider.scale(namespace, 'absent', 1), 'NOT_FOUND')
  })
})
