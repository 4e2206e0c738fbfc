/**
 * Shared pieces of the benchmarks: free ports, child processes on this Node, readiness waits.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
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

/** The value at percentile `p` (0–100) of `values`, nearest rank from below; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

export const median = (values: number[]): number => percentile(values, 50)

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

/**
 * Deploys the bench's function on the gateway at `url` (admin `password`): bench/upstream.ts as an
 * http-mode function, kept at one replica unless `labels` say otherwise, with `annotations` (a
 * placement) if given; waits until it answers and returns its URL.
 */
export async function deployBenchFunction(
  url: string,
  password: string,
  options: { service?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<string> {
  const service = options.service ?? 'bench'
  const response = await fetch(`${url}/system/functions`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`admin:${password}`)}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      service,
      image: service,
      envProcess: `${process.execPath} ${join(ROOT, 'bench/upstream.ts')}`,
      envVars: { mode: 'http' },
      labels: options.labels ?? ONE_REPLICA,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  })
  if (response.status !== 202) {
    throw new Error(`deploying ${service} on ${url} failed: ${response.status} ${await response.text()}`)
  }
  const function_ = `${url}/function/${service}`
  await waitHttp(function_)
  return function_
}
