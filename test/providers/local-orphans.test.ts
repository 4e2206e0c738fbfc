/**
 * @module
 * A gateway killed with SIGKILL runs no cleanup code; its replicas must still go away (the watchdog
 * watches its stdin, unsandboxed processes get a parent-death signal, bwrap has --die-with-parent), in
 * every isolation mode.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../conformance/provider.suite.ts'
import { bwrapWorks, groupAlive, removeDataDirs, setprivWorks, tempDataDir } from './local-helpers.ts'

const script = fileURLToPath(new URL('./orphan-gateway.ts', import.meta.url))

async function startAndKill(sandbox: 'none' | 'bwrap' | 'user'): Promise<number[]> {
  const gateway = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', script, sandbox, tempDataDir()],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  try {
    // A gateway that never reports its replicas must not outlive the test (it would hold vitest open).
    const [chunk] = (await Promise.race([
      once(gateway.stdout, 'data'),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the gateway did not report its replicas')), 20_000),
      ),
    ])) as [Buffer]
    return JSON.parse(chunk.toString()) as number[]
  } finally {
    const exited = once(gateway, 'exit')
    gateway.kill('SIGKILL')
    await exited
  }
}

afterAll(removeDataDirs)

describe('local provider: a gateway that dies', () => {
  for (const [sandbox, label] of [
    ['none', 'unsandboxed'],
    ['bwrap', 'sandboxed'],
    ['user', 'separate-user'],
  ] as const) {
    const unavailable = (sandbox === 'bwrap' && !bwrapWorks) || (sandbox === 'user' && !setprivWorks)
    it.skipIf(unavailable)(`leaves no ${label} replica behind`, async () => {
      const pids = await startAndKill(sandbox)
      expect(pids).toHaveLength(2)
      await waitFor(
        'orphans to exit',
        async () => pids.filter(groupAlive),
        (alive) => alive.length === 0,
        10_000,
      )
    })
  }
})
