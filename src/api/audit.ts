/**
 * @module
 * `GET /system/audit?limit=&after=`: the audit log, newest first, paged by an opaque cursor (`next`).
 */
import type { Hono } from 'hono'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { methodNotAllowed } from './responses.ts'

export function registerAuditRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/audit', async (c) => {
    const limitText = c.req.query('limit') ?? '100'
    if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
      throw new ApiError('BAD_REQUEST', 'limit must be a whole number from 1 to 1000')
    }
    const after = c.req.query('after')
    try {
      const page = await deps.store.listAuditEntries({
        limit: Number(limitText),
        ...(after ? { after } : {}),
      })
      return c.json({
        items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })),
        next: page.next,
      })
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidCursorError') {
        throw new ApiError('BAD_REQUEST', 'after must be the next cursor of a previous page')
      }
      throw error
    }
  })
  app.all('/system/audit', methodNotAllowed)
}
