/**
 * @module
 * The CLI's commands as data: names, arguments, options and the function that runs each. The parser
 * (parse-args.ts) is the only code that knows how a command line is split; swapping it for another
 * library means rewriting that one file, not the commands.
 */

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Repeatable (`-H a=1 -H b=2`): the value is a list. */
  multiple?: boolean
  description: string
  /** Shown in the help as `--name <placeholder>`. */
  placeholder?: string
}

export interface ArgSpec {
  name: string
  required?: boolean
  /** Takes the rest of the positional arguments. */
  variadic?: boolean
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>

export interface Invocation {
  /** The command's positional arguments by name (a variadic one holds the rest, joined by none). */
  args: Record<string, string | undefined>
  /** A variadic argument's values. */
  rest: string[]
  options: OptionValues
  /** Environment, streams and the working directory: handed in so tests can run commands in-process. */
  io: CliIo
}

export interface CliIo {
  env: Record<string, string | undefined>
  cwd: string
  stdout: Writable
  stderr: Writable
  stdin: Readable
  /** Whether stdout is a terminal (tables redraw, prompts are allowed). */
  isTty: boolean
}

export interface Writable {
  write(text: string | Uint8Array): unknown
}

export interface Readable {
  isTTY?: boolean
  [Symbol.asyncIterator](): AsyncIterator<Buffer | string>
}

export interface CommandSpec {
  name: string
  aliases?: string[]
  summary: string
  /** Longer help: examples, notes. */
  details?: string
  args?: ArgSpec[]
  options?: Record<string, OptionSpec>
  subcommands?: CommandSpec[]
  /** Resolves to the exit code; anything but a number means 0. */
  run?: (invocation: Invocation) => Promise<unknown>
  /** The process keeps running after `run` returns (`serve`, `worker`): the entry point must not exit. */
  keepsRunning?: boolean
}

/** Exit codes, the same for every command (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The gateway refused or the operation failed (a deploy that did not become ready, a 4xx/5xx). */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** `plan --exit-code`: changes are pending. */
  changes: 3,
} as const
