/**
 * @module
 * A gateway killed with SIGKILL runs no cleanup code; its replicas must still go away (the watchdog
 * watches its stdin, unsandboxed processes get a parent-death signal, bwrap has --die-with-parent), in
 * every isolation mode. A gateway that exits without closing its provider (a crash) takes its replicas'
 * calls down too.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../conformance/provider.suite.ts'
import { bwrapWorks, groupAlive, removeDataDirs, setprivWorks, tempDataDir } from './local-helpers.ts'
import { markedSleep, processesMatching } from './process-table.ts'

const script = fileURLToPath(new URL('./orphan-gateway.ts', import.meta.url))
const exiting = fileURLToPath(new URL('./exiting-gateway.ts', import.meta.url))

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

describe('local provider: a gateway that exits without closing it', () => {
  it('leaves no process of a running call behind', async () => {
    const sleep = markedSleep()
    const gateway = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', exiting, sleep, tempDataDir()],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    )
    const [code] = (await Promise.race([
      once(gateway, 'exit'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the gateway did not exit')), 20_000)),
    ]).catch((error: unknown) => {
      gateway.kill('SIGKILL')
      throw error
    })) as [number | null]
    expect(code).toBe(0)
    try {
      await waitFor(
        'the call’s process to end',
        async () => processesMatching(`sleep ${sleep}`),
        (alive) => alive.length === 0,
        5_000,
      )
    } finally {
      // A failure must not leave the orphan running for the rest of the machine's day.
      for (const pid of processesMatching(`sleep ${sleep}`)) process.kill(pid, 'SIGKILL')
    }
  })
})

describe('local provider: a gateway killed with SIGKILL during a call', () => {
  it.skipIf(!setprivWorks)('leaves no process of the unsandboxed call behind', async () => {
    const sleep = markedSleep()
    const gateway = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', exiting, sleep, tempDataDir(), 'wait'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      await Promise.race([
        once(gateway.stdout, 'data'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('the call did not start')), 20_000)),
      ])
      const exited = once(gateway, 'exit')
      gateway.kill('SIGKILL')
      await exited
      // The kernel's parent-death signal reaches the watchdog, which must take its calls with it.
      await waitFor(
        'the call’s process to end',
        async () => processesMatching(`sleep ${sleep}`),
        (alive) => alive.length === 0,
        5_000,
      )
    } finally {
      gateway.kill('SIGKILL')
      for (const pid of processesMatching(`sleep ${sleep}`)) process.kill(pid, 'SIGKILL')
    }
  })
})
