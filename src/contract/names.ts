/**
 * @module
 * Name rules shared by every route: DNS-1123 labels and the `name.namespace` split.
 */

/** The namespace OpenFaaS clients assume when none is given (go-sdk `DefaultNamespace`). */
export const DEFAULT_NAMESPACE = 'openfaas-fn'

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const MAX_LABEL_LENGTH = 63

/** True when `name` is a valid DNS-1123 label, the rule faas-netes applies to functions and namespaces. */
export function isDns1123Label(name: string): boolean {
  return name.length <= MAX_LABEL_LENGTH && DNS1123_LABEL.test(name)
}

/**
 * Splits `name.namespace` at the last dot, as the OpenFaaS gateway does. Without a dot the namespace is
 * `fallbackNamespace`. A leading dot gives an empty name (the certifier relies on that for its 404 test).
 */
export function splitFunctionName(
  qualified: string,
  fallbackNamespace: string,
): { name: string; namespace: string } {
  const dot = qualified.lastIndexOf('.')
  if (dot === -1) return { name: qualified, namespace: fallbackNamespace }
  return { name: qualified.slice(0, dot), namespace: qualified.slice(dot + 1) }
}
