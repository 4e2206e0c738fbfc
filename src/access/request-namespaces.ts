/**
 * @module
 * The namespaces a `/system` request names, for the token check (route-scopes.ts says which source a
 * route uses). The body is read from a clone, capped at the API body limit, and only when a namespaced
 * token asks: admin requests and all-namespace tokens never pay for it.
 */
import { splitFunctionName } from '../contract/names.ts'
import type { NamespaceSource } from './route-scopes.ts'
import type { NamespaceScope } from './scopes.ts'

/** Thrown when the body is over the limit: the handler would refuse it with 413 too. */
export class BodyTooLargeError extends Error {}

export async function namespacesOf(
  request: Request,
  source: NamespaceSource,
  routePath: string,
  defaultNamespace: string,
  bodyLimit: number,
): Promise<NamespaceScope> {
  if (source === 'none') return { kind: 'none' }
  if (source === 'cluster') return { kind: 'cluster' }
  const url = new URL(request.url)
  const names = url.searchParams.getAll('namespace').filter((n) => n !== '')
  if (source === 'filter') return names.length > 0 ? { kind: 'namespaces', names } : { kind: 'cluster' }

  const named = namespaceParam(routePath, url.pathname)
  if (named !== null) names.push(named)
  const param = named === null ? pathParam(routePath, url.pathname) : null
  if (param !== null) {
    if (routePath.startsWith('/system/namespace')) names.push(param)
    else {
      const split = splitFunctionName(param, '')
      if (split.namespace) names.push(split.namespace)
    }
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const fromBody = await bodyNamespace(request, bodyLimit)
    if (fromBody !== null) names.push(fromBody)
  }
  return { kind: 'namespaces', names: names.length > 0 ? [...new Set(names)] : [defaultNamespace] }
}

/** The segment a `:namespace` route parameter matched (`/ui/functions/:namespace/:name`), or null. */
function namespaceParam(routePath: string, pathname: string): string | null {
  const at = routePath.split('/').indexOf(':namespace')
  if (at < 0) return null
  const segment = pathname.split('/')[at]
  if (segment === undefined) return null
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** The last path segment when the route's last segment is a parameter (`/system/function/:name`). */
function pathParam(routePath: string, pathname: string): string | null {
  if (!/\/:[a-z]+$/i.test(routePath)) return null
  const segment = pathname.slice(pathname.lastIndexOf('/') + 1)
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

async function bodyNamespace(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return null
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw new BodyTooLargeError()
  const reader = request.clone().body?.getReader()
  if (!reader) return null
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      // Not awaited: cancelling one branch of a tee settles only once the other branch (the route's
      // body) is cancelled too, which would wait for this very middleware.
      reader.cancel().catch(() => undefined)
      throw new BodyTooLargeError()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes))
    if (parsed && typeof parsed === 'object' && 'namespace' in parsed) {
      const ns = (parsed as { namespace: unknown }).namespace
      // A non-string namespace is refused by the handler's schema; an empty one means the default.
      if (typeof ns === 'string' && ns !== '') return ns
    }
  } catch {
    // Not JSON: the handler refuses it before acting in any namespace.
  }
  return null
}
