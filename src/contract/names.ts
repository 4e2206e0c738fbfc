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

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/**
 * A Kubernetes label key: `name` or `prefix/name`, the name up to 63 characters of letters, digits, `-`,
 * `_`, `.` (alphanumeric at both ends), the prefix a DNS subdomain. Backend labels follow it, so a
 * selector can hold no `,` or `=` inside a key.
 */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/')
  const name = slash === -1 ? key : key.slice(slash + 1)
  const prefix = slash === -1 ? null : key.slice(0, slash)
  if (name.length > MAX_LABEL_LENGTH || !LABEL_NAME.test(name)) return false
  return prefix === null || (prefix.length <= 253 && LABEL_PREFIX.test(prefix))
}

/** A Kubernetes label value: empty, or up to 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= MAX_LABEL_LENGTH && LABEL_NAME.test(value))
}
