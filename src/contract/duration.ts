/**
 * @module
 * Durations as OpenFaaS configuration writes them: whole seconds (`30`) or Go durations (`1m30s`, `500ms`).
 */
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
}
const GO_DURATION = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/

/** Milliseconds, or null when `text` is not a duration. */
export function parseDurationMs(text: string): number | null {
  const value = text.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  if (value === '' || value === '0') return value === '0' ? 0 : null
  let rest = value
  let total = 0
  while (rest.length > 0) {
    const match = GO_DURATION.exec(rest)
    if (!match?.[1] || !match[2]) return null
    total += Number(match[1]) * (UNIT_MS[match[2]] ?? 0)
    rest = rest.slice(match[0].length)
  }
  return total
}
