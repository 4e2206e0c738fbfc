/**
 * Runs the gateway as `npm start` does, in a child process, and reads its URL from what it prints.
 * For tests that kill or restart the gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../src/runtime/node/main.ts', import.meta.url))
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export interface GatewayProcess {
  child: ChildProcess
  url: string
  output(): string
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** `npm start`'s process; with `command`, the `edgefaas` CLI with that command (e.g. `worker`). */
export async function startGatewayProcess(
  env: Record<string, string>,
  command?: 'worker',
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, command ? [CLI, command] : [MAIN], {
    env: { PATH: process.env.PATH, EDGEFAAS_PORT: '0', EDGEFAAS_LOCAL_SANDBOX: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
    const deadline = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 20_000)
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
