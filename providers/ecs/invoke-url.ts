/**
 * @module
 * Where a function on ECS is called: the backend's `invokeUrl` template with `{name}` and `{namespace}`
 * replaced, then the call's path appended. The admin writes the template (`http://fns.internal/{name}`
 * behind an ALB rule per function, `http://{name}.edgefaas.local:8080` for Cloud Map names); function
 * and namespace names are DNS-1123 labels, so in the host a placeholder can only fill one DNS label
 * (never add a port, credentials or another host) and in the path only one segment. The template is
 * checked once: http(s), no credentials, query or fragment, and a placeholder in the host only as a
 * whole label. What a caller controls (the path) is checked by `checkFunctionPath` before it is appended.
 */

const PLACEHOLDER = /\{(name|namespace)\}/g

/** Checks the template; throws a TypeError saying what to fix. Returns it without a trailing slash. */
export function checkInvokeUrl(template: string): string {
  if (!template.includes('{name}'))
    throw new TypeError(
      'invokeUrl must contain {name}, e.g. http://internal-alb.example/{name} or http://{name}.edgefaas.local:8080',
    )
  const stray = template.replace(PLACEHOLDER, '').match(/[{}]/)
  if (stray) throw new TypeError('invokeUrl may hold only the placeholders {name} and {namespace}')
  let url: URL
  try {
    url = new URL(template.replace(PLACEHOLDER, 'x'))
  } catch {
    throw new TypeError('invokeUrl must be an absolute http(s) URL once {name} is filled in')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('invokeUrl must start with http:// or https://')
  if (url.username || url.password) throw new TypeError('invokeUrl must not hold credentials')
  if (url.search || url.hash || template.includes('?') || template.includes('#'))
    throw new TypeError('invokeUrl must not have a query or a fragment: the call brings its own')
  const authority = template.slice(template.indexOf('//') + 2).split('/')[0] ?? ''
  const host = authority.replace(/:\d+$/, '')
  for (const label of host.split('.')) {
    if (label.includes('{') && !/^(\{name\}|\{namespace\})(-(\{name\}|\{namespace\}))*$/.test(label))
      throw new TypeError(
        'in the host of invokeUrl, a placeholder must be a whole DNS label ({name}.fns.example), or two joined by "-"',
      )
  }
  return template.replace(/\/+$/, '')
}

/** The function's base URL (the path is appended to it). */
export function invokeBase(template: string, namespace: string, name: string): string {
  return template.replace(PLACEHOLDER, (_, key: string) => (key === 'name' ? name : namespace))
}
