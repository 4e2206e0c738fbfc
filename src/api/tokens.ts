/**
 * @module
 * `/system/tokens`: API tokens (admin only, by route-scopes.ts). POST creates one and answers its secret
 * once, in `token`; GET lists them (never the secret or its hash); DELETE revokes. A revoked token stays
 * listed, marked, so the audit log's `token:<id>` actors keep a name.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { SCOPES } from '../access/scopes.ts'
import { hashSecret, newToken } from '../access/tokens.ts'
import { isDns1123Label } from '../contract/names.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import type { ApiTokenRecord } from '../store/types.ts'
import { readJson } from './body.ts'
import { methodNotAllowed } from './responses.ts'

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }
/** Ten years: a longer expiry is a typo, and `expiresIn` left out means "never". */
const MAX_EXPIRY_MS = 3650 * 86_400_000

const functionLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/, {
    message: 'must be a function name, or name.namespace',
  })

const createTokenSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\x20-\x7e]+$/, { message: 'must be printable ASCII' }),
    scopes: z
      .array(z.enum(SCOPES, { message: `must be one of ${SCOPES.join(', ')}` }))
      .min(1, { message: 'name at least one scope' }),
    namespaces: z
      .array(
        z.string().refine((n) => n === '*' || isDns1123Label(n), {
          message: 'must be a namespace name or "*" for every namespace',
        }),
      )
      .min(1, { message: 'name at least one namespace, or "*" for every namespace' }),
    functions: z.array(functionLabel).min(1).max(1000).optional(),
    expiresIn: z
      .string()
      .regex(/^\d{1,7}[mhd]$/, {
        message: 'must be a duration in minutes, hours or days, such as 90m, 12h or 30d',
      })
      .optional(),
  })
  .strict()

export function registerTokenRoutes(app: Hono, deps: GatewayDeps): void {
  app.get('/system/tokens', async (c) => c.json((await deps.store.listApiTokens()).map(toWire)))

  app.post('/system/tokens', async (c) => {
    const body = await readJson(c, createTokenSchema, deps.config.maxApiBodyBytes, 'a token request')
    let expiresAt: Date | null = null
    if (body.expiresIn !== undefined) {
      const ms = Number(body.expiresIn.slice(0, -1)) * (UNIT_MS[body.expiresIn.slice(-1)] ?? 0)
      if (ms <= 0 || ms > MAX_EXPIRY_MS)
        throw new ApiError(
          'BAD_REQUEST',
          'validation failed: expiresIn must be more than 0 and at most 3650d',
        )
      expiresAt = new Date(Date.now() + ms)
    }
    const namespaces = body.namespaces.includes('*') ? ['*'] : [...new Set(body.namespaces)]
    // A bare function name is in the token's namespace, which must then be a single one.
    const functions = body.functions?.map((f) => {
      if (f.includes('.')) return f
      if (namespaces.length !== 1 || namespaces[0] === '*')
        throw new ApiError('BAD_REQUEST', `validation failed: functions: write "${f}" as name.namespace`)
      return `${f}.${namespaces[0]}`
    })
    const made = newToken()
    const record: ApiTokenRecord = {
      id: made.id,
      name: body.name,
      secretHash: await hashSecret(made.secret),
      scopes: [...new Set(body.scopes)],
      namespaces,
      functions: functions ?? null,
      createdAt: new Date(),
      expiresAt,
      revokedAt: null,
    }
    if (!(await deps.store.createApiToken(record)))
      throw new ApiError('CONFLICT', 'token id collision; send the request again')
    return c.json({ ...toWire(record), token: made.token }, 201)
  })
  app.all('/system/tokens', methodNotAllowed)

  app.get('/system/tokens/:id', async (c) => {
    const token = await deps.store.getApiToken(c.req.param('id'))
    if (!token) throw new ApiError('NOT_FOUND', 'no token with this id')
    return c.json(toWire(token))
  })
  app.delete('/system/tokens/:id', async (c) => {
    const id = c.req.param('id')
    if (!(await deps.store.revokeApiToken(id, new Date()))) {
      const token = await deps.store.getApiToken(id)
      if (!token) throw new ApiError('NOT_FOUND', 'no token with this id')
      throw new ApiError('CONFLICT', 'the token is revoked already')
    }
    deps.access.tokens.forget(id)
    return c.body(null, 204)
  })
  app.all('/system/tokens/:id', methodNotAllowed)
}

function toWire(t: ApiTokenRecord) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    namespaces: t.namespaces,
    functions: t.functions,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  }
}
