/**
 * @module
 * Who the auth middleware found behind a request, for the audit log that runs around it. Keyed by the
 * Request object, so nothing a client sends can set it.
 */
const actors = new WeakMap<Request, string>()

export function setActor(request: Request, actor: string): void {
  actors.set(request, actor)
}

export function actorFor(request: Request): string | undefined {
  return actors.get(request)
}
