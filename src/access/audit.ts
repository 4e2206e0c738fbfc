/**
 * @module
 * The audit log: every state-changing request to a protected path (everything but invocations, async
 * submits, health and the UI redirect) is recorded after it is answered — who (`admin`, `token:<id>`,
 * `anonymous`), what (method and route), on what (the function, secret, namespace, … it names), when,
 * from where, and the status. Refused attempts are recorded too: a 401 or 403 on a write is exactly what
 * an audit log is for. Runs around the auth middleware, so it sees the refusals that middleware answers.
 *
 * Writing the entry never fails the request: a store error is logged. The optional webhook gets each
 * entry in the background (audit-webhook.ts).
 */
import type { MiddlewareHandler } from 'hono'
import { isPublicPath } from '../auth/middleware.ts'
import type { Logger } from '../logger.ts'
import type { AuditEntry, Store } from '../store/types.ts'
import { actorFor } from './request-actor.ts'

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])
/** The part of a body read to name the target; bodies are small JSON objects, anything larger is named by path. */
const TARGET_BODY_LIMIT = 64 * 1024

export interface AuditOptions {
  store: Pick<Store, 'addAuditEntry'>
  logger: Logger
  clientAddress: (request: Request, env: unknown) => string | undefined
  /** Authentication switched off: writes are recorded as `open`. */
  authOff: boolean
  /** Gets each entry after it is stored. */
  publish?: (entry: AuditEntry) => void
}

export function auditWrites(options: AuditOptions): MiddlewareHandler {
  return async (c, next) => {
    const { method } = c.req
    if (SAFE_METHODS.has(method) || isPublicPath(c.req.path, method)) return next()
    const target = await describeTarget(c.req.raw, c.req.path)
    try {
      await next()
    } finally {
      const at = new Date()
      const entry: AuditEntry = {
        id: `${at.getTime().toString(36)}-${crypto.randomUUID()}`,
        at,
        actor: actorFor(c.req.raw) ?? (options.authOff ? 'open' : 'anonymous'),
        action: `${method} ${c.req.path}`,
        target,
        source: options.clientAddress(c.req.raw, c.env) ?? 'unknown',
        // Errors thrown by a route are turned into responses by onError before this runs.
        status: c.res.status,
      }
      try {
        await options.store.addAuditEntry(entry)
        options.publish?.(entry)
      } catch (error) {
        options.logger.error('could not write the audit log entry', { ...entry, error })
      }
    }
  }
}

const KINDS: ReadonlyArray<[RegExp, string]> = [
  [/^\/system\/(functions|function\/|scale-function\/)/, 'function'],
  [/^\/system\/secrets/, 'secret'],
  [/^\/system\/namespaces?\//, 'namespace'],
  [/^\/system\/backends/, 'backend'],
  [/^\/system\/tokens/, 'token'],
  [/^\/system\/dead-letters\//, 'dead-letter'],
  [/^\/async-function\//, 'call'],
]

/** `function echo.team-a`, `secret api-key.team-a`, `token ci`…; the path when nothing more is known. */
async function describeTarget(request: Request, path: string): Promise<string> {
  const kind = KINDS.find(([pattern]) => pattern.test(path))?.[1]
  if (!kind) return path
  const body = await smallJsonBody(request)
  const pick = (key: string) => {
    const value = body?.[key]
    return typeof value === 'string' && value !== '' ? value : undefined
  }
  const lastSegment = path.split('/').filter(Boolean).at(-1) ?? ''
  const fromPath = /\/system\/(functions|secrets|backends|tokens|namespaces?)$/.test(path)
    ? undefined
    : lastSegment
  const name =
    pick('service') ??
    pick('functionName') ??
    pick('serviceName') ??
    pick('name') ??
    (kind === 'dead-letter' ? path.split('/')[3] : fromPath)
  const namespace = pick('namespace') ?? new URL(request.url).searchParams.get('namespace') ?? undefined
  if (!name) return path
  const text = `${kind} ${name}${namespace && kind !== 'namespace' && !name.includes('.') ? `.${namespace}` : ''}`
  // Bounded and printable: the entry is shown in terminals and dashboards.
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)
}

async function smallJsonBody(request: Request): Promise<Record<string, unknown> | null> {
  if (!request.body) return null
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > TARGET_BODY_LIMIT) return null
  try {
    const reader = request.clone().body?.getReader()
    if (!reader) return null
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > TARGET_BODY_LIMIT) {
        // Not awaited: cancelling one branch of a tee settles only once the other branch (the route's
        // body) is cancelled too, which would wait for this very middleware.
        reader.cancel().catch(() => undefined)
        return null
      }
      chunks.push(value)
    }
    const parsed: unknown = JSON.parse(new TextDecoder().decode(concat(chunks, size)))
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
