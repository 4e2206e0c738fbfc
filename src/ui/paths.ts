/**
 * @module
 * Dashboard URLs of a function, with each segment percent-encoded (names are DNS labels today, but a
 * URL built from data is always encoded).
 */
export function functionPath(namespace: string, name: string, suffix = ''): string {
  return `/ui/functions/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}${suffix}`
}
