/**
 * @module
 * Environment substitution in a stack file, as faas-cli applies it before parsing (drone/envsubst):
 * `$VAR`, `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when unset),
 * `${VAR:=default}` / `${VAR=default}` (the same, for reading), `${VAR:+alt}` / `${VAR+alt}`, and `$$`
 * for a literal `$`. A default may itself hold substitutions. Anything else after `${` is an error
 * naming it, rather than text silently left in an image name.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/

export class SubstitutionError extends Error {}

export function envsubst(text: string, env: Record<string, string | undefined>): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch !== '$') {
      out += ch
      i++
      continue
    }
    const next = text[i + 1]
    if (next === '$') {
      out += '$'
      i += 2
      continue
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2)
      if (end < 0) throw new SubstitutionError(`unclosed "\${" at offset ${i}: ${text.slice(i, i + 30)}`)
      out += expand(text.slice(i + 2, end), env)
      i = end + 1
      continue
    }
    const name = NAME.exec(text.slice(i + 1))?.[0]
    if (name) {
      out += env[name] ?? ''
      i += 1 + name.length
      continue
    }
    out += '$'
    i++
  }
  return out
}

function closingBrace(text: string, from: number): number {
  let depth = 1
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{' && text[j - 1] === '$') depth++
    else if (text[j] === '}') {
      depth--
      if (depth === 0) return j
    }
  }
  return -1
}

function expand(inner: string, env: Record<string, string | undefined>): string {
  const name = NAME.exec(inner)?.[0]
  if (!name) throw new SubstitutionError(`"\${${inner}}" is not a variable substitution`)
  const value = env[name]
  const rest = inner.slice(name.length)
  if (rest === '') return value ?? ''
  const op = /^(:-|-|:=|=|:\+|\+)/.exec(rest)?.[0]
  if (!op) {
    throw new SubstitutionError(
      `"\${${inner}}" is not supported; use \${${name}}, \${${name}:-default} or \${${name}-default}`,
    )
  }
  const word = () => envsubst(rest.slice(op.length), env)
  switch (op) {
    case ':-':
    case ':=':
      return value === undefined || value === '' ? word() : value
    case '-':
    case '=':
      return value === undefined ? word() : value
    case ':+':
      return value === undefined || value === '' ? '' : word()
    default:
      return value === undefined ? '' : word()
  }
}
