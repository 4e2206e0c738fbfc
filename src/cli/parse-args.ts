/**
 * @module
 * The one adapter between a command line and the command table (command-table.ts), over node:util
 * parseArgs. It finds the command by its words (`secret create`), checks options strictly, maps the
 * positional arguments onto the command's named ones, and renders help from the same table. Swapping
 * the parser library means rewriting this file only.
 */
import { parseArgs } from 'node:util'
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
  | { kind: 'error'; message: string; help: string }

const HELP_OPTION = { help: { type: 'boolean' as const, short: 'h' } }

/**
 * `argv` without the node binary and script. An empty command line runs `defaultCommand` (the
 * gateway's `serve`, as before the CLI had other commands).
 */
export function parseCommandLine(
  program: string,
  commands: CommandSpec[],
  argv: string[],
  defaultCommand: string,
): Parsed {
  const root: CommandSpec = { name: program, summary: '', subcommands: commands }
  const words = argv.length === 0 ? [defaultCommand] : argv
  let current = root
  const path: string[] = []
  let index = 0
  while (current.subcommands && index < words.length) {
    const word = words[index] ?? ''
    const next = current.subcommands.find((c) => c.name === word || c.aliases?.includes(word))
    if (!next) break
    current = next
    path.push(next.name)
    index++
  }
  const remaining = words.slice(index)
  if (!current.run) {
    const word = remaining[0]
    if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
      return word === undefined && current !== root
        ? {
            kind: 'error',
            message: `${[program, ...path].join(' ')} needs a command`,
            help: help(program, path, current),
          }
        : { kind: 'help', text: help(program, path, current) }
    }
    return {
      kind: 'error',
      message: `unknown command: ${[...path, word].join(' ')}`,
      help: help(program, path, current),
    }
  }
  const usage = help(program, path, current)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: remaining,
      allowPositionals: true,
      strict: true,
      options: { ...HELP_OPTION, ...optionConfig(current) },
    })
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error), help: usage }
  }
  if (parsed.values.help) return { kind: 'help', text: usage }
  const specs = current.args ?? []
  const args: Record<string, string | undefined> = {}
  let rest: string[] = []
  const positionals = [...parsed.positionals]
  for (const spec of specs) {
    if (spec.variadic) {
      rest = positionals.splice(0)
      if (spec.required && rest.length === 0) {
        return { kind: 'error', message: `missing <${spec.name}>`, help: usage }
      }
      args[spec.name] = rest[0]
      continue
    }
    const value = positionals.shift()
    if (value === undefined && spec.required) {
      return { kind: 'error', message: `missing <${spec.name}>`, help: usage }
    }
    args[spec.name] = value
  }
  if (positionals.length > 0) {
    return { kind: 'error', message: `unexpected argument: ${positionals[0]}`, help: usage }
  }
  const { help: _help, ...options } = parsed.values
  return { kind: 'run', command: current, path, args, rest, options: options as OptionValues }
}

function optionConfig(command: CommandSpec) {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    config[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    }
  }
  return config
}

/** Help text for a command or a group, from the table. */
export function help(program: string, path: string[], command: CommandSpec): string {
  const name = [program, ...path].join(' ')
  const lines: string[] = []
  if (command.subcommands) {
    lines.push(`usage: ${name} <command> [options]`)
    if (command.summary) lines.push('', command.summary)
    lines.push('', 'Commands:')
    const width = Math.max(...command.subcommands.map((c) => c.name.length))
    for (const c of command.subcommands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`)
    lines.push('', `Run \`${name} <command> --help\` for a command's options.`)
  } else {
    const args = (command.args ?? [])
      .map((a) => {
        const text = `<${a.name}>${a.variadic ? '...' : ''}`
        return a.required ? text : `[${text}]`
      })
      .join(' ')
    lines.push(`usage: ${name}${args ? ` ${args}` : ''}${command.options ? ' [options]' : ''}`)
    lines.push('', command.summary)
    const options = Object.entries(command.options ?? {})
    if (options.length > 0) {
      lines.push('', 'Options:')
      const shown = options.map(([long, spec]) => {
        const value = spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : ''
        return [`${spec.short ? `-${spec.short}, ` : '    '}--${long}${value}`, spec.description] as const
      })
      const width = Math.max(...shown.map(([flag]) => flag.length))
      for (const [flag, description] of shown) lines.push(`  ${flag.padEnd(width)}  ${description}`)
    }
  }
  if (command.details) lines.push('', command.details)
  return lines.join('\n')
}
