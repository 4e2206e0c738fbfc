/**
 * @module
 * Reading the deploy form: `KEY=VALUE` lines for env, labels and annotations, a list for secrets. A line
 * the form cannot read is reported against its field; everything else (what a valid name, label or
 * placement is) is the API's to say, so the dashboard never disagrees with faas-cli.
 */

export interface FormProblem {
  field: string
  message: string
}

/** `KEY=VALUE` per line; blank lines and `#` comments are skipped. The first `=` splits. */
export function parsePairs(
  text: string,
  field: string,
  problems: FormProblem[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  let any = false
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf('=')
    if (at < 1) {
      problems.push({ field, message: `line ${index + 1}: write KEY=VALUE (got "${line.slice(0, 80)}")` })
      continue
    }
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim()
    any = true
  }
  return any ? out : undefined
}

export function formatPairs(record: Record<string, string> | null | undefined, skip: string[] = []): string {
  if (!record) return ''
  return Object.entries(record)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
}

/** Names separated by commas, spaces or new lines. */
export function parseList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/**
 * Which form field an API message is about, so it is shown next to that field (it is also shown at the
 * top). The API's messages name the field (`validation failed: service: …`, `unable to fetch secrets`,
 * `annotation edgefaas.dev/backends …`).
 */
export function fieldOfMessage(message: string): string | null {
  const m = message.toLowerCase()
  if (/edgefaas\.dev\/backends|placement|backend "/.test(m)) return 'placement'
  if (/secret/.test(m)) return 'secrets'
  if (/\bservice\b|function name|already exists/.test(m)) return 'service'
  if (/\bimage\b/.test(m)) return 'image'
  if (/envprocess|fprocess/.test(m)) return 'envProcess'
  if (/\benv(vars)?\b/.test(m)) return 'envVars'
  if (/\blabel/.test(m)) return 'labels'
  if (/annotation/.test(m)) return 'annotations'
  if (/namespace/.test(m)) return 'namespace'
  return null
}
