/**
 * @module
 * Marks the requests the async worker makes, so the invocation gate knows a call came from the queue
 * (its caller was checked when it was queued) and not over HTTP. A WeakSet of Request objects: nothing a
 * client sends can put a request in it, unlike a header.
 */
const queued = new WeakSet<object>()

export function markQueued<R extends object>(request: R): R {
  queued.add(request)
  return request
}

export function isQueued(request: object): boolean {
  return queued.has(request)
}
