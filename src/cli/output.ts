/**
 * @module
 * How read commands print: `--json` writes the gateway's JSON as is (for scripts and jq), otherwise an
 * aligned table for people.
 */
import type { CliIo, OptionValues } from './command-table.ts'
import { usageError } from './errors.ts'

export const JSON_OPTION = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
} as const

export function wantsJson(options: OptionValues): boolean {
  return options.json === true
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Columns as [heading, cell of a row]; an empty list prints `empty` instead of a lone heading. */
export function printTable<T>(
  io: CliIo,
  rows: T[],
  columns: Array<[string, (row: T) => string | number | undefined | null]>,
  empty: string,
): void {
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`)
    return
  }
  const cells = rows.map((row) => columns.map(([, cell]) => String(cell(row) ?? '')))
  const headings = columns.map(([h]) => h)
  const widths = headings.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  io.stdout.write(`${[line(headings), ...cells.map(line)].join('\n')}\n`)
}

/** `key: value` lines for one object, keys aligned. */
export function printFields(io: CliIo, fields: Array<[string, string | number | undefined | null]>): void {
  const shown = fields.filter(([, v]) => v !== undefined && v !== null && v !== '')
  const width = Math.max(...shown.map(([k]) => k.length))
  io.stdout.write(`${shown.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n')}\n`)
}

/** `a=1, b=2` for a map, sorted. */
export function formatMap(map: Record<string, string> | null | undefined): string {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}

/** `k=v` pairs from repeated options, with a message naming the option when one has no `=`. */
export function parsePairs(values: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of values ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw usageError(`--${option} ${pair}: write it as key=value`)
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}
