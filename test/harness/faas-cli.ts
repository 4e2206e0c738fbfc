/**
 * Runs the real OpenFaaS CLI (faas-cli 0.18.12; `$FAAS_CLI` or the machine's copy) for tests. Each test
 * gives its own `HOME`, where faas-cli keeps its login; of the environment only PATH is passed on, so
 * nothing of the developer's own faas-cli set-up (OPENFAAS_URL, a token) leaks into a test.
 */
import { execFile } from 'node:child_process'

export const FAAS_CLI = process.env.FAAS_CLI ?? '/work/shared/bin/faas-cli'

export interface FaasCliRun {
  /** The exit code; 0 on success. */
  code: number
  /** stdout then stderr, as a user reads them. */
  output: string
}

export interface FaasCliOptions {
  home: string
  /** Written to its stdin, which is then closed (`--password-stdin`, `invoke`). */
  input?: string
  /** Added to the environment (e.g. `OPENFAAS_URL`). */
  env?: Record<string, string>
  cwd?: string
  timeoutMs?: number
}

export function runFaasCli(args: string[], options: FaasCliOptions): Promise<FaasCliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      FAAS_CLI,
      args,
      {
        env: { PATH: process.env.PATH ?? '', HOME: options.home, ...options.env },
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    )
    child.stdin?.end(options.input ?? '')
  })
}

/** As `runFaasCli` for a step that must succeed: its output, or an error naming the command and output. */
export async function faasCliOk(args: string[], options: FaasCliOptions): Promise<string> {
  const run = await runFaasCli(args, options)
  if (run.code !== 0) throw new Error(`faas-cli ${args.join(' ')} exited ${run.code}:\n${run.output}`)
  return run.output
}
