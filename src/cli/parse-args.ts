/**
 * @module
 * The one adapter between a command line and the command table (command-table.ts), over commander.
 * Commander only parses here: every leaf command's action records what was chosen, and `run.ts` runs
 * it with the CLI's own streams. Help, unknown commands and options ("did you mean …?"), missing and
 * excess arguments come from commander; its output goes to strings, never straight to the process, and
 * it never exits the process. Swapping the parser library means rewriting this file only.
 */
import { Command, CommanderError, Option } from 'commander'
import type { CommandSpec, OptionValues } from './command-table.ts'

export type Parsed =
  | {
      kind: 'run'
      command: CommandSpec
      path: string[]
      args: Record<string, string | undefined>
      rest: string[]
      options: OptionValues
    }
  | { kind: 'help'; text: string }
  | { kind: 'error'; text: string }

/** `argv` without the node binary and script; an empty one runs `defaultCommand` (the gateway's `serve`). */
export function parseCommandLine(
  program: string,
  commands: CommandSpec[],
  argv: string[],
  defaultCommand: string,
): Parsed {
  const output = { out: '', err: '' }
  let chosen: Extract<Parsed, { kind: 'run' }> | null = null
  const root = configure(new Command(program), output)
  root
    .usage('<command> [options]')
    .description(
      'The edgefaas gateway (serve, worker) and its client: stack files, functions, secrets, backends, domains, async calls. docs/cli.md',
    )
  for (const spec of commands) {
    add(root, spec, [], output, (run) => {
      chosen = run
    })
  }
  try {
    root.parse(argv.length === 0 ? [defaultCommand] : argv, { from: 'user' })
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    if (
      error.code === 'commander.helpDisplayed' ||
      (error.code === 'commander.help' && error.exitCode === 0)
    ) {
      return { kind: 'help', text: output.out.trimEnd() }
    }
    if (error.code === 'commander.help') {
      // A group (`edgefaas secret`) given no command: its help, as an error.
      return { kind: 'error', text: `error: missing command\n\n${output.err.trimEnd()}` }
    }
    return { kind: 'error', text: output.err.trimEnd() }
  }
  if (!chosen) return { kind: 'help', text: root.helpInformation().trimEnd() }
  return chosen
}

function configure(command: Command, output: { out: string; err: string }): Command {
  return command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        output.out += text
      },
      writeErr: (text) => {
        output.err += text
      },
    })
    .showHelpAfterError()
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'show this help')
}

function add(
  parent: Command,
  spec: CommandSpec,
  path: string[],
  output: { out: string; err: string },
  choose: (run: Extract<Parsed, { kind: 'run' }>) => void,
): void {
  const command = configure(parent.command(spec.name), output).description(spec.summary)
  for (const alias of spec.aliases ?? []) command.alias(alias)
  if (spec.details) command.addHelpText('after', `\n${spec.details}`)
  const here = [...path, spec.name]
  if (spec.subcommands) {
    for (const sub of spec.subcommands) add(command, sub, here, output, choose)
    return
  }
  for (const arg of spec.args ?? []) {
    const name = `${arg.name}${arg.variadic ? '...' : ''}`
    command.argument(arg.required ? `<${name}>` : `[${name}]`)
  }
  for (const [long, option] of Object.entries(spec.options ?? {})) {
    const flags = `${option.short ? `-${option.short}, ` : ''}--${long}${option.type === 'string' ? ` <${option.placeholder ?? 'value'}>` : ''}`
    const built = new Option(flags, option.description)
    // Repeatable options collect every value (`-H a=1 -H b=2`) instead of keeping the last.
    if (option.multiple)
      built.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    command.addOption(built)
  }
  command.action((...received: unknown[]) => {
    const opts = command.opts()
    const args: Record<string, string | undefined> = {}
    let rest: string[] = []
    ;(spec.args ?? []).forEach((arg, i) => {
      const value = received[i]
      if (arg.variadic) {
        rest = Array.isArray(value) ? (value as string[]) : []
        args[arg.name] = rest[0]
      } else {
        args[arg.name] = typeof value === 'string' ? value : undefined
      }
    })
    choose({ kind: 'run', command: spec, path: here, args, rest, options: optionValues(spec, opts) })
  })
}

/** Commander's camelCase option values, back under the table's names; `--no-x` reads as `no-x: true`. */
function optionValues(spec: CommandSpec, opts: Record<string, unknown>): OptionValues {
  const values: OptionValues = {}
  for (const long of Object.keys(spec.options ?? {})) {
    const negated = long.startsWith('no-')
    const value = opts[camel(negated ? long.slice(3) : long)]
    if (negated) {
      if (value === false) values[long] = true
    } else if (value !== undefined && !(spec.options?.[`no-${long}`] && value === false)) {
      values[long] = value as string | boolean | string[]
    }
  }
  return values
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}
