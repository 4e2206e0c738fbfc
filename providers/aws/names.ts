/**
 * @module
 * The AWS name of a function: `<prefix><namespace>_<name>`. Function and namespace names are DNS-1123
 * labels, which never hold `_`, so two functions cannot share a name (`a-b`/`c` and `a`/`b-c` give
 * `a-b_c` and `a_b-c`). Lambda function names, ECS service names and task definition families all take
 * letters, digits, `-` and `_`; a name over the service's limit (64 for Lambda) keeps its start and ends
 * with a hash of the whole, so it stays unique and still says which function it is.
 */
import { isDns1123Label } from '../../src/contract/names.ts'
import { ProviderError } from '../types.ts'

/** Letters, digits, `-`, `_`, and short enough to leave room for a namespace and a name. */
export function checkPrefix(prefix: string, option: string): string {
  if (!/^[A-Za-z0-9_-]{0,32}$/.test(prefix))
    throw new TypeError(`${option} must be at most 32 letters, digits, "-" or "_"`)
  return prefix
}

/** Names go into AWS resource names and URLs: only DNS-1123 labels. Returns `name.namespace`. */
export function checkNames(namespace: string, name: string): string {
  if (!isDns1123Label(name) || !isDns1123Label(namespace)) {
    throw new ProviderError('INVALID', 'function and namespace names must be DNS-1123 labels (a-z, 0-9, -)')
  }
  return `${name}.${namespace}`
}

export async function awsName(prefix: string, namespace: string, name: string, max: number): Promise<string> {
  const full = `${prefix}${namespace}_${name}`
  if (full.length <= max) return full
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(full))
  const hash = [...new Uint8Array(digest).slice(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${full.slice(0, max - hash.length - 1)}-${hash}`
}
