/**
 * @module
 * Runs one command line against the command table with the given streams and environment, and says
 * how the process should end: an exit code, or null for a command that keeps running (`serve`).
 * Errors become one line on stderr saying what to do, never a stack trace.
 */

import { type CliIo, EXIT } from './command-table.ts'
import { COMMANDS } from './commands/index.ts'
import { CliError } from './errors.ts'
import { parseCommandLine } from './parse-args.ts'

export const PROGRAM = 'edgefaas'

export async function runCli(argv: string[], io: CliIo): Promise<number | null> {
  const parsed = parseCommandLine(PROGRAM, COMMANDS, argv, 'serve')
  if (parsed.kind === 'help') {
    io.stdout.write(`${parsed.text}\n`)
    return EXIT.ok
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`${parsed.text}\n`)
    return EXIT.usage
  }
  try {
    const code = await parsed.command.run?.({
      args: parsed.args,
      rest: parsed.rest,
      options: parsed.options,
      io,
    })
    if (parsed.command.keepsRunning) return null
    return typeof code === 'number' ? code : EXIT.ok
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${PROGRAM} ${parsed.path.join(' ')}: ${error.message}\n`)
      return error.exitCode
    }
    const message = error instanceof Error ? error.message : String(error)
    io.stderr.write(
      parsed.command.keepsRunning
        ? `edgefaas failed to start: ${message}\n`
        : `${PROGRAM} ${parsed.path.join(' ')} failed: ${message}\n`,
    )
    return EXIT.failed
  }
}
