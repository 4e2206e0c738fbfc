/**
 * @module
 * CliError: a failure the user can act on. Its message says what went wrong and what to do; the
 * entry point prints it (no stack trace) and exits with its code.
 */
import { EXIT } from './command-table.ts'

export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/** A wrong command line (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage)
}
