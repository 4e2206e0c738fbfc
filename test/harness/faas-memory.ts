/**
 * A small OpenFaaS backend with no namespaces, written from the wire contract (sections 1, 2, 7, 10) in
 * the manner of OpenFaaS CE in front of faas-memory: a real HTTP server on a free loopback port, for
 * testing the openfaas provider against the quirks a real edgefaas backend does not have.
 *
 * - `/system/namespaces` answers Go's `404 page not found` (or `[]`), statuses carry no `namespace`;
 * - PUT of an absent function is 404; success is 200 (faasd) or 202 (faas-netes), as configured;
 * - FunctionStatus omits zero `replicas`/`availableReplicas` and always has `createdAt`;
 * - scale reads the body's `serviceName` (faasd); zero can be refused (CE) or clamped to 1 (CE gateway);
 * - basic auth or a bearer token on `/system/*`: 401 with `WWW-Authenticate: Basic realm="Restricted"`;
 * - `/function/<name>`: 503 `No endpoints available` with `X-OpenFaaS-Internal: proxy` for an unknown
 *   function or one at zero replicas, 500 `Can't reach service` with the header for names in
 *   `unreachable`. Functions behave by image: `echo`, `env`, `fail` (its own 500), `gzip`, `redirect`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import type { FunctionDeployment } from '../../src/contract/types.ts'

export interface FaasMemoryOptions {
  auth?: { username: string; password: string } | { token: string }
  /** Status of a successful deploy, update, delete and scale. Default 202. */
  success?: 200 | 202
  /**
   * `/system/namespaces`: Go's 404 (default), an empty list, or these names (faas-netes CE: one, which
   * `/function/<name>.<ns>` accepts; `/system/namespace/` then answers 405, it cannot create more).
   */
  namespaces?: '404' | 'empty' | string[]
  /** `/system/info`: a gateway's GatewayInfo (default) or faas-provider's ProviderInfo. */
  info?: 'gateway' | 'provider'
  /** Zero replicas: allowed (default), refused with 400 (faas-netes/faasd CE), or raised to 1 (CE gateway). */
  scaleToZero?: 'allow' | 'refuse' | 'clamp'
  /** Serve `/system/secrets` (default false: Go's 404). */
  secrets?: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  body: string
  authorization: string | undefined
}

export interface MemoryFunction {
  deployment: FunctionDeployment
  replicas: number
  createdAt: string
}

export interface FaasMemory {
  url: string
  requests: RecordedRequest[]
  functions: Map<string, MemoryFunction>
  secrets: Map<string, string>
  /** Function names whose replica "does not answer": the provider's 500 with X-OpenFaaS-Internal. */
  unreachable: Set<string>
  close(): Promise<void>
}

const NO_ROUTE = '404 page not found'
/** What every handler returns, so each branch can end with `return text(...)`. */
const HANDLED = true
type Handled = typeof HANDLED

export async function startFaasMemory(options: FaasMemoryOptions = {}): Promise<FaasMemory> {
  const success = options.success ?? 202
  const functions = new Map<string, MemoryFunction>()
  const secrets = new Map<string, string>()
  const unreachable = new Set<string>()
  const requests: RecordedRequest[] = []

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://faas-memory')
    const body = await readBody(req)
    const path = url.pathname
    requests.push({
      method: req.method ?? '',
      path,
      query: url.searchParams,
      body,
      authorization: req.headers.authorization,
    })
    if (path.startsWith('/function/'))
      return invoke(req, res, path.slice('/function/'.length), url.search, body)
    if (path === '/healthz') return text(res, 200, 'OK')
    if (!path.startsWith('/system/')) return text(res, 404, NO_ROUTE)
    if (!authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Restricted"')
      return text(res, 401, 'invalid credentials')
    }
    system(req.method ?? '', path, body, res)
  })

  function authorized(header: string | undefined): boolean {
    const auth = options.auth
    if (!auth) return true
    if ('token' in auth) return header === `Bearer ${auth.token}`
    return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  }

  function system(method: string, path: string, body: string, res: ServerResponse): Handled {
    const named = /^\/system\/(function|scale-function)\/([^/]+)$/.exec(path)
    if (path === '/system/info' && method === 'GET') {
      const provider = {
        provider: 'faas-memory',
        orchestration: 'memory',
        version: { sha: 'abc123', release: '0.1.0' },
      }
      return json(
        res,
        200,
        options.info === 'provider'
          ? provider
          : { provider, version: { sha: 'def456', release: '0.27.0' }, arch: 'amd64' },
      )
    }
    if (path === '/system/namespaces' && method === 'GET') {
      if (Array.isArray(options.namespaces)) return json(res, 200, options.namespaces)
      return options.namespaces === 'empty' ? json(res, 200, []) : text(res, 404, NO_ROUTE)
    }
    if (path === '/system/namespace/' && Array.isArray(options.namespaces)) return text(res, 405, '')
    if (path === '/system/functions') {
      if (method === 'GET') return json(res, 200, [...functions.values()].map(statusOf))
      if (method === 'POST' || method === 'PUT') return deploy(method, body, res)
      if (method === 'DELETE') {
        const request = parse<{ functionName?: string }>(body)
        if (!request?.functionName) return text(res, 400, 'functionName is required')
        if (!functions.delete(request.functionName))
          return text(res, 404, `function ${request.functionName} not found`)
        return empty(res, success)
      }
    }
    if (named?.[1] === 'function' && method === 'GET') {
      const fn = functions.get(named[2] ?? '')
      return fn ? json(res, 200, statusOf(fn)) : text(res, 404, `function ${named[2]} not found`)
    }
    if (named?.[1] === 'scale-function' && method === 'POST') return scale(named[2] ?? '', body, res)
    if (path === '/system/secrets' && options.secrets) return secret(method, body, res)
    return text(res, 404, NO_ROUTE)
  }

  function deploy(method: string, body: string, res: ServerResponse): Handled {
    const deployment = parse<FunctionDeployment>(body)
    if (!deployment) return text(res, 400, 'failed to unmarshal request')
    if (!deployment.service) return text(res, 400, 'validation failed: service: is required')
    if (!deployment.image) return text(res, 400, 'validation failed: image: is required')
    const current = functions.get(deployment.service)
    if (method === 'PUT' && !current) return text(res, 404, `function ${deployment.service} not found`)
    if (method === 'POST' && current)
      return text(res, 500, `unable create Deployment: ${deployment.service} already exists`)
    const min = Number(deployment.labels?.['com.openfaas.scale.min'] ?? 1)
    functions.set(deployment.service, {
      deployment,
      replicas: current?.replicas ?? (min > 0 ? min : 1),
      createdAt: current?.createdAt ?? new Date().toISOString(),
    })
    return empty(res, success)
  }

  function scale(pathName: string, body: string, res: ServerResponse): Handled {
    const request = parse<{ serviceName?: string; replicas?: number }>(body)
    if (!request || typeof request.replicas !== 'number')
      return text(res, 400, 'Error unmarshalling request body')
    // faasd scales the body's serviceName; a mismatch with the path would scale the wrong function.
    if (request.serviceName !== pathName) return text(res, 400, 'serviceName must match the path')
    const fn = functions.get(pathName)
    if (!fn) return text(res, 404, `function ${pathName} not found`)
    let replicas = request.replicas
    if (replicas === 0 && options.scaleToZero === 'refuse')
      return text(res, 400, 'replicas cannot be set to 0 in OpenFaaS CE')
    if (replicas === 0 && options.scaleToZero === 'clamp') replicas = 1
    fn.replicas = replicas
    return empty(res, success)
  }

  function secret(method: string, body: string, res: ServerResponse): Handled {
    if (method === 'GET')
      return json(
        res,
        200,
        [...secrets.keys()].map((name) => ({ name })),
      )
    const request = parse<{ name?: string; value?: string; rawValue?: string }>(body)
    if (!request?.name) return text(res, 400, 'name is required')
    const value = request.rawValue
      ? Buffer.from(request.rawValue, 'base64').toString('latin1')
      : (request.value ?? '')
    if (method === 'POST') {
      if (secrets.has(request.name)) return text(res, 409, `secret ${request.name} already exists`)
      secrets.set(request.name, value)
      return empty(res, 202)
    }
    if (method === 'PUT') {
      if (!secrets.has(request.name)) return text(res, 404, `secret ${request.name} not found`)
      secrets.set(request.name, value)
      return empty(res, 202)
    }
    if (method === 'DELETE')
      return secrets.delete(request.name) ? empty(res, 202) : text(res, 404, 'not found')
    return text(res, 405, '')
  }

  function invoke(
    req: IncomingMessage,
    res: ServerResponse,
    rest: string,
    search: string,
    body: string,
  ): Handled {
    const slash = rest.indexOf('/')
    let name = slash === -1 ? rest : rest.slice(0, slash)
    const dot = name.lastIndexOf('.')
    if (dot !== -1 && Array.isArray(options.namespaces) && options.namespaces.includes(name.slice(dot + 1)))
      name = name.slice(0, dot)
    const subPath = slash === -1 ? '/' : rest.slice(slash)
    const fn = functions.get(name)
    if (!fn || fn.replicas === 0) {
      res.setHeader('X-OpenFaaS-Internal', 'proxy')
      return text(res, 503, `No endpoints available for: ${name}.`)
    }
    if (unreachable.has(name)) {
      res.setHeader('X-OpenFaaS-Internal', 'proxy')
      return text(res, 500, `Can't reach service for: ${name}.`)
    }
    const env = fn.deployment.envVars ?? {}
    switch (fn.deployment.image) {
      case 'echo':
        res.setHeader('Content-Type', req.headers['content-type'] ?? 'text/plain')
        return text(res, 200, body)
      case 'env': {
        const lines = [
          `Http_Method=${req.method}`,
          `Http_Path=${subPath}`,
          `Http_Query=${search.slice(1)}`,
          `Http_Host=${req.headers.host ?? ''}`,
          `Http_Authorization=${req.headers.authorization ?? ''}`,
          ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        ]
        return text(res, 200, `${lines.join('\n')}\n`)
      }
      case 'fail':
        return text(res, 500, 'function failed')
      case 'gzip':
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' })
        res.end(gzipSync('hello gzip'))
        return HANDLED
      case 'redirect':
        res.writeHead(302, { Location: env.destination ?? 'http://example.com/' })
        res.end()
        return HANDLED
      default:
        return text(res, 500, `unknown image ${fn.deployment.image}`)
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    functions,
    secrets,
    unreachable,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A status as Go writes it: zero counts and the namespace left out, createdAt always there. */
function statusOf(fn: MemoryFunction): Record<string, unknown> {
  const { deployment } = fn
  return {
    name: deployment.service,
    image: deployment.image,
    ...(deployment.envProcess ? { envProcess: deployment.envProcess } : {}),
    labels: deployment.labels ?? {},
    annotations: deployment.annotations ?? {},
    ...(fn.replicas > 0 ? { replicas: fn.replicas, availableReplicas: fn.replicas } : {}),
    createdAt: fn.createdAt,
  }
}

function parse<T>(body: string): T | null {
  try {
    return JSON.parse(body) as T
  } catch {
    return null
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => resolve(Buffer.concat(chunks).toString('latin1')))
    req.once('error', reject)
  })
}

function text(res: ServerResponse, status: number, body: string): Handled {
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.writeHead(status)
  res.end(body, 'latin1')
  return HANDLED
}

function json(res: ServerResponse, status: number, value: unknown): Handled {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(value))
  return HANDLED
}

function empty(res: ServerResponse, status: number): Handled {
  res.writeHead(status)
  res.end()
  return HANDLED
}
