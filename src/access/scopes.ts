/**
 * @module
 * What a caller may do: the scopes a token can hold and the one rule that says whether a grant covers an
 * action in some namespaces. `admin` covers everything; `deploy` includes `read` (a CI job that deploys
 * also lists and describes what it deployed); the others are exactly themselves.
 */

export const SCOPES = ['read', 'deploy', 'secrets', 'invoke', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value)
}

/** Who is calling and what they may do. */
export type Grant =
  | { kind: 'admin' }
  | {
      kind: 'token'
      id: string
      scopes: ReadonlySet<Scope>
      /** `'*'`: every namespace. */
      namespaces: '*' | ReadonlySet<string>
      /** `name.namespace` labels an invoke token is limited to; null: no limit beyond the namespaces. */
      functions: ReadonlySet<string> | null
    }

/**
 * Which namespaces an action touches: a list, `cluster` (all of them, or no namespace in particular but
 * something every namespace shares, such as backends), or `none` (nothing namespaced, e.g. /system/info).
 */
export type NamespaceScope = { kind: 'namespaces'; names: string[] } | { kind: 'cluster' } | { kind: 'none' }

export function hasScope(grant: Grant, scope: Scope): boolean {
  if (grant.kind === 'admin') return true
  if (grant.scopes.has('admin') || grant.scopes.has(scope)) return true
  return scope === 'read' && grant.scopes.has('deploy')
}

export function coversNamespaces(grant: Grant, where: NamespaceScope): boolean {
  if (grant.kind === 'admin' || grant.namespaces === '*') return true
  if (where.kind === 'none') return true
  if (where.kind === 'cluster') return false
  const allowed = grant.namespaces
  return where.names.every((name) => allowed.has(name))
}

/** Whether `grant` may invoke the function `name` in `namespace`. */
export function mayInvoke(grant: Grant, namespace: string, name: string): boolean {
  if (!hasScope(grant, 'invoke')) return false
  if (!coversNamespaces(grant, { kind: 'namespaces', names: [namespace] })) return false
  return grant.kind === 'admin' || grant.functions === null || grant.functions.has(`${name}.${namespace}`)
}

/** The audit log's name for a grant. */
export function actorOf(grant: Grant): string {
  return grant.kind === 'admin' ? 'admin' : `token:${grant.id}`
}
