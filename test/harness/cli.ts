/**
 * Runs the `edgefaas` CLI for tests: in-process through `runCli` with captured streams (fast, for most
 * commands), or as the real `node src/cli/main.ts` process (for exit codes as the shell sees them, and
 * streams that must be interrupted).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { CliIo } from '../../src/cli/command-table.ts'
import { runCli } from '../../src/cli/run.ts'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliContext {
  env: Record<string, string | undefined>
  cwd: string
}

/** `tty`: run as if stdout and stdin were a terminal (progress redrawn in place, questions asked). */
export async function cli(context: CliContext, args: string[], stdin?: string, tty = false): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const input = Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]) as Readable & {
    isTTY?: boolean
  }
  input.isTTY = tty
  const io: CliIo = {
    env: context.env,
    cwd: context.cwd,
    stdout: { write: (t) => (stdout += typeof t === 'string' ? t : Buffer.from(t).toString()) },
    stderr: { write: (t) => (stderr += typeof t === 'string' ? t : Buffer.from(t).toString()) },
    stdin: input,
    isTty: tty,
  }
  const code = await runCli(args, io)
  return { code, stdout, stderr }
}

/** The real bin in a child process. */
export function cliProcess(
  context: CliContext,
  args: string[],
  stdin = '',
): Promise<CliRun> & { child: ChildProcess } {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
    cwd: context.cwd,
    env: Object.fromEntries(Object.entries(context.env).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  child.stdin.end(stdin)
  const done = new Promise<CliRun>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  }) as Promise<CliRun> & { child: ChildProcess }
  done.child = child
  Object.defineProperty(done, 'output', { get: () => stdout })
  return done
}

/** What a child has printed so far (for polling a followed stream). */
export function outputOf(run: Promise<CliRun>): string {
  return (run as unknown as { output: string }).output
}
