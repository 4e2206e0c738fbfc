/**
 * Shared pieces of the benchmarks: free ports, child processes on this Node, readiness waits.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export { freePort } from '../test/harness/free-port.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []

/** Starts `node <script>` (a path relative to the repository, or absolute) with extra environment and node flags. */
export function spawnNode(script: string, env: Record<string, string>, flags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...flags, resolve(ROOT, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: ROOT,
  })
  children.push(child)
  return child
}

export function stopChildren(): void {
  for (const child of children.splice(0)) child.kill('SIGTERM')
}
process.on('exit', stopChildren)

export async function waitHttp(url: string, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const ok = await fetch(url, init).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${url} did not answer 200 in time`)
}

/** Runs `main`, then stops every child; exits non-zero on failure. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => {
      stopChildren()
      setTimeout(() => process.exit(0), 500)
    },
    (error: unknown) => {
      console.error(error)
      stopChildren()
      process.exit(1)
    },
  )
}

/**
 * Labels that keep a bench function at one replica. The reference proxies forward to one upstream
 * process; left to the autoscaler, the function would scale up under wrk's load (its alert rule fires
 * above 5 calls/s) and the extra processes would compete with the gateway for this machine's two cores.
 */
export const ONE_REPLICA: Record<string, string> = {
  'com.openfaas.scale.min': '1',
  'com.openfaas.scale.max': '1',
}
