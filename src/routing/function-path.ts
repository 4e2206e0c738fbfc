/**
 * @module
 * `/function/<name>[.<ns>][/<rest>]` and `/async-function/…` taken apart: the function, its namespace
 * (after the last dot, else the default) and what follows, which is what reaches the function (at least `/`).
 */
import { isDns1123Label, splitFunctionName } from '../contract/names.ts'

export interface FunctionPath {
  name: string
  namespace: string
  /** What follows the name, at least `/`, without the query. */
  rest: string
}

/** null when the name or namespace is not a valid DNS-1123 label (no such function can exist). */
export function parseFunctionPath(
  pathname: string,
  prefix: string,
  defaultNamespace: string,
): FunctionPath | null {
  const after = pathname.slice(prefix.length)
  const slash = after.indexOf('/')
  const qualified = slash === -1 ? after : after.slice(0, slash)
  const { name, namespace } = splitFunctionName(qualified, defaultNamespace)
  if (!isDns1123Label(name) || !isDns1123Label(namespace)) return null
  return { name, namespace, rest: slash === -1 ? '/' : after.slice(slash) }
}
