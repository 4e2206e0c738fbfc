/**
 * @module
 * `/system/domains`: custom domains as a resource (docs/domains.md). List (`?namespace=` narrows), get
 * one with its certificate's state, create (POST, 201), change (PUT `/system/domains/{host}`), delete;
 * upload or drop a certificate at `/system/domains/{host}/certificate`. A host belongs to one function:
 * creating it again, or moving it to another namespace, is a 409 naming the owner. Private keys are
 * sealed with the secrets key before they reach the store and are never shown.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { isDns1123Label } from '../contract/names.ts'
import type { GatewayDeps } from '../deps.ts'
import { certificateIssuer } from '../domains/certificate-issuer.ts'
import { certificateView } from '../domains/certificate-view.ts'
import { checkDomainHost, checkPathPrefix } from '../domains/host.ts'
import { coveringWildcards } from '../domains/resolve.ts'
import { certificateKeyData } from '../domains/tls-driver.ts'
import { ApiError } from '../errors.ts'
import type { CertificateSummary, DomainRecord, DomainTls, NewCertificate } from '../store/types.ts'
import { readJson } from './body.ts'
import { resolveNamespace } from './namespaces-param.ts'
import { methodNotAllowed } from './responses.ts'

const DOMAIN = 'a Domain such as {"host":"api.example.com","function":"env","path":"/v1"}'
const CERTIFICATE =
  'a certificate such as {"certificate":"-----BEGIN CERTIFICATE-----…","privateKey":"-----BEGIN PRIVATE KEY-----…"}'
const PEM_LIMIT = 64 * 1024

const tlsSchema = z.enum(['acme', 'uploaded', 'none'], { message: 'must be "acme", "uploaded" or "none"' })
const pem = z
  .string()
  .min(1)
  .max(PEM_LIMIT, { message: `must be at most ${PEM_LIMIT} characters` })
const settingsSchema = {
  function: z.string().min(1),
  namespace: z.string().optional(),
  path: z.string().optional(),
  redirectHttps: z.boolean().optional(),
  tls: tlsSchema.optional(),
  certificate: pem.optional(),
  privateKey: pem.optional(),
}
/**
 * A FunctionIngress spec's names are accepted too (`domain`, `functionNamespace`), so one can be sent
 * as it is; its `path` regex `/v1/(.*)` is read as the prefix `/v1`.
 */
const fromFunctionIngress = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const { domain, functionNamespace, ...rest } = value as Record<string, unknown>
  const out: Record<string, unknown> = { ...rest }
  if (domain !== undefined && out.host === undefined) out.host = domain
  else if (domain !== undefined) out.domain = domain
  if (functionNamespace !== undefined && out.namespace === undefined) out.namespace = functionNamespace
  else if (functionNamespace !== undefined) out.functionNamespace = functionNamespace
  if (typeof out.path === 'string' && out.path.endsWith('(.*)')) out.path = out.path.slice(0, -4)
  return out
}
const createSchema = z.preprocess(
  fromFunctionIngress,
  z.object({ host: z.string({ message: 'host is required' }), ...settingsSchema }).strict(),
)
const updateSchema = z.preprocess(
  fromFunctionIngress,
  z.object({ ...settingsSchema, function: settingsSchema.function.optional() }).strict(),
)
const certificateSchema = z.object({ certificate: pem, privateKey: pem }).strict()

export function registerDomainRoutes(app: Hono, deps: GatewayDeps): void {
  const limit = deps.config.maxApiBodyBytes

  app.get('/system/domains', async (c) => {
    const raw = c.req.query('namespace')
    const namespace = raw ? await resolveNamespace(deps, raw) : undefined
    const [records, certificates] = await Promise.all([
      deps.store.listDomains(namespace === undefined ? {} : { namespace }),
      deps.store.listCertificates(),
    ])
    const byHost = new Map(certificates.map((s) => [s.host, s]))
    const now = new Date()
    return c.json(records.map((r) => domainView(r, byHost.get(r.host), now)))
  })

  app.post('/system/domains', async (c) => {
    const body = await readJson(c, createSchema, limit, DOMAIN)
    const host = validHost(deps, body.host)
    const namespace = await resolveNamespace(deps, body.namespace, c.req.query('namespace'))
    await refuseUnderOtherNamespace(deps, host, namespace)
    const upload = await sealed(deps, host, uploadOf(deps, host, body))
    const tls = chooseTls(deps, host, body.tls, upload !== null)
    const created = await deps.store.createDomain({
      host,
      namespace,
      functionName: validFunction(body.function),
      pathPrefix: validPrefix(body.path),
      redirectHttps: body.redirectHttps ?? false,
      tls,
      source: 'api',
    })
    if (!created) throw await conflict(deps, host)
    if (upload) await deps.store.saveCertificate(host, upload)
    return c.json(await afterWrite(deps, host), 201)
  })

  app.all('/system/domains', methodNotAllowed)

  app.get('/system/domains/:host', async (c) => {
    const host = validHost(deps, c.req.param('host'))
    return c.json(await viewOf(deps, host))
  })

  app.put('/system/domains/:host', async (c) => {
    const host = validHost(deps, c.req.param('host'))
    const body = await readJson(c, updateSchema, limit, DOMAIN)
    const current = await deps.store.getDomain(host)
    if (!current) throw notFound(host)
    if (body.namespace !== undefined && body.namespace !== current.namespace) throw ownedBy(current)
    const upload = await sealed(deps, host, uploadOf(deps, host, body))
    const tls =
      body.tls === undefined && upload === null
        ? current.tls
        : chooseTls(deps, host, body.tls, upload !== null)
    const updated = await deps.store.updateDomain(host, current.namespace, {
      functionName: body.function === undefined ? current.functionName : validFunction(body.function),
      pathPrefix: body.path === undefined ? current.pathPrefix : validPrefix(body.path),
      redirectHttps: body.redirectHttps ?? current.redirectHttps,
      tls,
    })
    if (!updated) throw notFound(host)
    if (upload) await deps.store.saveCertificate(host, upload)
    // Another way of getting a certificate: the old one goes (ACME orders anew, `none` serves no HTTPS).
    else if (tls !== current.tls) await deps.store.deleteCertificate(host)
    return c.json(await afterWrite(deps, host))
  })

  app.delete('/system/domains/:host', async (c) => {
    const host = validHost(deps, c.req.param('host'))
    if (!(await deps.store.deleteDomain(host))) throw notFound(host)
    await deps.store.deleteCertificate(host)
    deps.domains.invalidate()
    return c.body(null, 204)
  })

  app.all('/system/domains/:host', methodNotAllowed)

  app.put('/system/domains/:host/certificate', async (c) => {
    const host = validHost(deps, c.req.param('host'))
    const body = await readJson(c, certificateSchema, limit, CERTIFICATE)
    const current = await deps.store.getDomain(host)
    if (!current) throw notFound(host)
    const upload = await sealed(deps, host, uploadOf(deps, host, body))
    if (!upload) throw new ApiError('BAD_REQUEST', `validation failed: send ${CERTIFICATE}`)
    await deps.store.saveCertificate(host, upload)
    if (current.tls !== 'uploaded') {
      await deps.store.updateDomain(host, current.namespace, changeOf(current, 'uploaded'))
    }
    return c.json(await afterWrite(deps, host))
  })

  app.delete('/system/domains/:host/certificate', async (c) => {
    const host = validHost(deps, c.req.param('host'))
    const current = await deps.store.getDomain(host)
    if (!current) throw notFound(host)
    await deps.store.deleteCertificate(host)
    // Without its upload the domain goes back to ACME where that is configured, else to plain HTTP.
    const tls: DomainTls = deps.tls?.acme && !host.startsWith('*.') ? 'acme' : 'none'
    await deps.store.updateDomain(host, current.namespace, changeOf(current, tls))
    return c.json(await afterWrite(deps, host))
  })

  app.all('/system/domains/:host/certificate', methodNotAllowed)
}

function domainView(record: DomainRecord, certificate: CertificateSummary | undefined, now: Date) {
  return {
    host: record.host,
    function: record.functionName,
    namespace: record.namespace,
    path: record.pathPrefix,
    redirectHttps: record.redirectHttps,
    tls: record.tls,
    source: record.source,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    certificate: certificateView(record, certificate, now),
  }
}

/** One domain: the list's view plus who issued its certificate (read from the stored chain). */
async function viewOf(deps: GatewayDeps, host: string) {
  const record = await deps.store.getDomain(host)
  if (!record) throw notFound(host)
  const certificate = await deps.store.getCertificate(host)
  const view = domainView(record, certificate ?? undefined, new Date())
  return { ...view, certificate: { ...view.certificate, issuer: certificateIssuer(certificate?.chainPem) } }
}

/** Every write: this gateway routes by the new table at once, and ACME looks at the domain now. */
async function afterWrite(deps: GatewayDeps, host: string) {
  deps.domains.invalidate()
  deps.tls?.acme?.kick()
  return viewOf(deps, host)
}

/** The host from a body or a path, normalised; 400 when it is not a host we would serve. */
export function validHost(deps: GatewayDeps, raw: string): string {
  const checked = checkDomainHost(raw)
  if ('problem' in checked) throw new ApiError('BAD_REQUEST', `validation failed: ${checked.problem}`)
  if (checked.host === deps.config.functionsHost) {
    throw new ApiError(
      'BAD_REQUEST',
      `validation failed: host: ${checked.host} is this gateway's functions origin (EDGEFAAS_FUNCTIONS_HOST)`,
    )
  }
  return checked.host
}

function validFunction(name: string): string {
  if (!isDns1123Label(name)) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: function: must be a function name (a DNS-1123 label)',
    )
  }
  return name
}

function validPrefix(path: string | undefined): string {
  const checked = checkPathPrefix(path)
  if ('problem' in checked) throw new ApiError('BAD_REQUEST', `validation failed: ${checked.problem}`)
  return checked.prefix
}

/** The TLS mode asked for, checked against what this gateway can do. */
function chooseTls(
  deps: GatewayDeps,
  host: string,
  asked: DomainTls | undefined,
  uploading: boolean,
): DomainTls {
  if (uploading) {
    if (asked !== undefined && asked !== 'uploaded') {
      throw new ApiError(
        'BAD_REQUEST',
        `validation failed: tls: a certificate was uploaded, so tls is "uploaded"`,
      )
    }
    return 'uploaded'
  }
  if (asked === 'acme' && !deps.tls?.acme) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: tls: ACME is not configured on this gateway; set EDGEFAAS_ACME_DIRECTORY_URL (docs/domains.md) or upload a certificate',
    )
  }
  // HTTP-01 cannot prove a wildcard (CAs ask DNS-01 for those): a wildcard's certificate is uploaded.
  if (asked === 'acme' && host.startsWith('*.')) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: tls: a wildcard host cannot get an ACME certificate over HTTP-01; upload one (tls "uploaded") or use "none"',
    )
  }
  return asked ?? (deps.tls?.acme && !host.startsWith('*.') ? 'acme' : 'none')
}

/** The settings of a domain as an update writes them back. */
function changeOf(d: DomainRecord, tls: DomainTls) {
  return { functionName: d.functionName, pathPrefix: d.pathPrefix, redirectHttps: d.redirectHttps, tls }
}

interface Upload {
  chainPem: string
  keyPem: string
  notBefore: Date
  notAfter: Date
}

/** The checked upload in a body, or null when it carries none; 400 when only half is there or it is wrong. */
function uploadOf(
  deps: GatewayDeps,
  host: string,
  body: { certificate?: string | undefined; privateKey?: string | undefined },
): Upload | null {
  if (body.certificate === undefined && body.privateKey === undefined) return null
  if (body.certificate === undefined || body.privateKey === undefined) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: send both certificate (PEM chain) and privateKey (PEM)',
    )
  }
  if (!deps.tls) {
    throw new ApiError(
      'NOT_IMPLEMENTED',
      'this runtime does not terminate TLS itself (on Workers the platform does): certificates cannot be uploaded here',
    )
  }
  const inspected = deps.tls.inspect(body.certificate, body.privateKey, host)
  if ('problem' in inspected) throw new ApiError('BAD_REQUEST', `validation failed: ${inspected.problem}`)
  return { chainPem: body.certificate, keyPem: body.privateKey, ...inspected }
}

/** The upload ready for the store, its key sealed; checked before anything is written (503 without a key). */
async function sealed(
  deps: GatewayDeps,
  host: string,
  upload: Upload | null,
): Promise<NewCertificate | null> {
  if (!upload) return null
  if (!deps.cipher) {
    throw new ApiError(
      'UNAVAILABLE',
      'certificates are disabled: set EDGEFAAS_SECRETS_KEY (openssl rand -base64 32)',
    )
  }
  const keyCiphertext = await deps.cipher.encrypt(
    new TextEncoder().encode(upload.keyPem),
    certificateKeyData(host),
  )
  return {
    source: 'uploaded',
    chainPem: upload.chainPem,
    keyCiphertext,
    notBefore: upload.notBefore,
    notAfter: upload.notAfter,
  }
}

async function conflict(deps: GatewayDeps, host: string): Promise<ApiError> {
  const owner = await deps.store.getDomain(host)
  if (!owner) return new ApiError('CONFLICT', `host ${host} was just taken; try again`)
  return ownedBy(owner)
}

/** The 409 of a host that belongs to a function already, naming it. */
export function ownedBy(owner: Pick<DomainRecord, 'host' | 'functionName' | 'namespace'>): ApiError {
  return new ApiError(
    'CONFLICT',
    `host ${owner.host} is already mapped to function "${owner.functionName}" in namespace "${owner.namespace}"; delete it there first (DELETE /system/domains/${owner.host})`,
  )
}

/**
 * A wildcard owns the names below it against other namespaces: `api.example.com` (or
 * `*.api.example.com`) cannot be taken from under `*.example.com` by another namespace's function, which
 * would otherwise take over traffic the wildcard's function serves now. Its own namespace may.
 */
export async function refuseUnderOtherNamespace(
  deps: GatewayDeps,
  host: string,
  namespace: string,
): Promise<void> {
  for (const wildcard of coveringWildcards(host)) {
    const owner = await deps.store.getDomain(wildcard)
    if (owner && owner.namespace !== namespace) {
      throw new ApiError(
        'CONFLICT',
        `host ${host} falls under ${owner.host}, which is mapped to function "${owner.functionName}" in namespace "${owner.namespace}"; only that namespace may map names under it`,
      )
    }
  }
}

function notFound(host: string): ApiError {
  return new ApiError('NOT_FOUND', `domain ${host} not found; create it with POST /system/domains`)
}
