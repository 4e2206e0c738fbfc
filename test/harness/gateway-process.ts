/**
 * Runs the gateway as `npm start` (or `npm run start:deno`) does, in a child process, and reads its URL
 * from what it prints. For tests that kill or restart the gateway, or run it on another runtime.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = fileURLToPath(new URL('../../src/runtime/node/main.ts', import.meta.url))
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const DENO = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url))

export interface GatewayProcess {
  child: ChildProcess
  url: string
  output(): string
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** `npm start`'s process; with `command`, the `edgefaas` CLI with that command (e.g. `worker`). */
export function startGatewayProcess(
  env: Record<string, string>,
  command?: 'worker',
): Promise<GatewayProcess> {
  return spawnGateway(process.execPath, command ? [CLI, command] : [MAIN], env, command)
}

/**
 * `npm run start:deno`'s process: `deno run` with exactly the permissions and flags that script grants
 * (read from package.json), so a test passing here proves the documented command suffices.
 */
export function startDenoGatewayProcess(
  env: Record<string, string>,
  /** `worker`: started with EDGEFAAS_ROLES=worker in `env`, so it prints no URL (`url` is empty). */
  mode?: 'worker',
): Promise<GatewayProcess> {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    scripts: Record<string, string>
  }
  const [deno, ...args] = (manifest.scripts['start:deno'] ?? '').replace(/^exec /, '').split(/\s+/)
  if (deno !== 'deno') throw new Error('package.json start:deno is expected to be `exec deno run …`')
  return spawnGateway(DENO, args, env, mode, ROOT)
}

async function spawnGateway(
  file: string,
  args: string[],
  env: Record<string, string>,
  command: 'worker' | undefined,
  cwd?: string,
): Promise<GatewayProcess> {
  const child = spawn(file, args, {
    env: {
      PATH: process.env.PATH,
      EDGEFAAS_PORT: '0',
      EDGEFAAS_LOCAL_SANDBOX: 'none',
      // One process unless a test asks for more: the many test gateways stay light.
      EDGEFAAS_PROCESSES: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => {
      // A gateway that never said it was up must not outlive the test that gave up on it.
      child.kill('SIGKILL')
      reject(new Error(`gateway did not start:\n${out}`))
    }, 60_000)
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(out)
      const ready =
        command === 'worker'
          ? /worker running/.test(out)
          : Boolean(match?.[1]) && /log in:|authentication is off/.test(out)
      if (ready) {
        clearInterval(poll)
        clearTimeout(deadline)
        resolve(match?.[1] ?? '')
      }
    }, 20)
    void exited.then((code) => {
      clearInterval(poll)
      clearTimeout(deadline)
      reject(new Error(`gateway exited with ${code}:\n${out}`))
    })
  })
  return {
    child,
    url,
    output: () => out,
    stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return exited
      child.kill(signal)
      return exited
    },
  }
}
