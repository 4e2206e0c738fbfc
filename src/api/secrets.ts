/**
 * @module
 * `/system/secrets`: list (names only, never values), create, update, delete. Values are encrypted
 * before they reach the store. `rawValue` (base64) wins over `value` when non-empty, as in faas-netes.
 * Create answers 202 and 409 when it exists (faas-cli then offers `--replace`); delete answers 202,
 * because faas-cli reports the spec's 204 as an error.
 */
import type { Context, Hono } from 'hono'
import { base64ToBytes } from '../base64.ts'
import { secretRefSchema, secretSchema } from '../contract/schemas.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { type SecretCipher, secretAssociatedData } from '../store/cipher.ts'
import { readJson } from './body.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

/** Kubernetes' limit for one secret, which faas-netes users already live with. */
const MAX_SECRET_BYTES = 1024 * 1024
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const SECRET = 'a Secret such as {"name":"api-key","value":"s3cr3t"}'

export function registerSecretRoutes(app: Hono, deps: GatewayDeps): void {
  const limit = deps.config.maxApiBodyBytes

  app.get('/system/secrets', async (c) => {
    const namespace = await resolveNamespace(deps, c.req.query('namespace'))
    const secrets = await deps.store.listSecrets(namespace)
    return c.json(secrets.map((s) => ({ name: s.name, namespace: s.namespace })))
  })

  app.post('/system/secrets', async (c) => {
    const { namespace, name, value } = await readSecret(c, deps, limit)
    const ciphertext = await requireCipher(deps).encrypt(value, secretAssociatedData(namespace, name))
    if (!(await deps.store.createSecret(namespace, name, ciphertext))) {
      throw new ApiError(
        'CONFLICT',
        `secret "${name}" already exists in namespace "${namespace}"; update it with PUT /system/secrets`,
      )
    }
    return c.body(null, 202)
  })

  app.put('/system/secrets', async (c) => {
    const { namespace, name, value } = await readSecret(c, deps, limit)
    const ciphertext = await requireCipher(deps).encrypt(value, secretAssociatedData(namespace, name))
    if (!(await deps.store.updateSecret(namespace, name, ciphertext))) throw secretNotFound(name, namespace)
    return c.body(null, 202)
  })

  app.delete('/system/secrets', async (c) => {
    const body = await readJson(c, secretRefSchema, limit, 'a Secret reference such as {"name":"api-key"}')
    const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
    const name = validName(body.name)
    if (!(await deps.store.deleteSecret(namespace, name))) throw secretNotFound(name, namespace)
    return c.body(null, 202)
  })

  app.all('/system/secrets', methodNotAllowed)
}

async function readSecret(c: Context, deps: GatewayDeps, limit: number) {
  const body = await readJson(c, secretSchema, limit, SECRET)
  const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
  const name = validName(body.name)
  let value: Uint8Array
  if (body.rawValue) {
    try {
      value = base64ToBytes(body.rawValue)
    } catch {
      throw new ApiError('BAD_REQUEST', 'validation failed: rawValue: must be base64')
    }
  } else if (body.value !== undefined) {
    value = new TextEncoder().encode(body.value)
  } else {
    throw new ApiError('BAD_REQUEST', 'validation failed: value or rawValue is required')
  }
  if (value.byteLength > MAX_SECRET_BYTES) {
    throw new ApiError(
      'PAYLOAD_TOO_LARGE',
      `secret value is ${value.byteLength} bytes; the limit is ${MAX_SECRET_BYTES}`,
    )
  }
  return { namespace, name, value }
}

function validName(name: string): string {
  if (!DNS1123_SUBDOMAIN.test(name)) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: name: must be lowercase a-z, 0-9, "-" and "." (a DNS-1123 subdomain, at most 253 characters)',
    )
  }
  return name
}

function requireCipher(deps: GatewayDeps): SecretCipher {
  if (!deps.cipher) {
    throw new ApiError(
      'UNAVAILABLE',
      'secrets are disabled: set EDGEFAAS_SECRETS_KEY (openssl rand -base64 32)',
    )
  }
  return deps.cipher
}

function secretNotFound(name: string, namespace: string): ApiError {
  return new ApiError('NOT_FOUND', `secret "${name}" not found in namespace "${namespace}"`)
}
