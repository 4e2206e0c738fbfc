/**
 * Property-based fuzzing of every endpoint of a gateway, shared by test/access/fuzz.test.ts (a few
 * hundred requests, part of the normal run) and bench/fuzz.ts (100,000). Requests are built from the
 * router's own list of routes (parameters filled with hostile strings) plus invocation paths and
 * arbitrary paths, with every kind of credential (none, admin, tokens of each scope, garbage), random
 * query parameters, headers and bodies (JSON of any shape, deployment-shaped objects with wrong types,
 * raw bytes, bodies over the body limits). The property: every request is answered, within the deadline, with no 500 and no 5xx a
 * client's input could cause (502–504 only on invocation paths, where they describe the backend).
 *
 * Functions are deployed only onto the in-memory test provider (the default backend in these runs) and
 * never name `local`, so no fuzzed command line is ever executed.
 */
import fc from 'fast-check'

export interface FuzzTarget {
  routes: Array<{ method: string; path: string }>
  /** Authorization header values to draw from (admin basic, tokens…). */
  credentials: string[]
  send(path: string, init: RequestInit): Promise<Response>
}

export interface FuzzFailure {
  method: string
  path: string
  status: number | 'timeout' | 'threw'
  detail: string
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']
const HOSTILE = [
  '',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%',
  '%zz',
  'a'.repeat(300),
  'Ünïcødé',
  'x.y.z',
  'fn.ns',
  'openfaas-fn',
  '*',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
  '${jndi:x}',
  "'; drop table functions; --",
  '<script>',
  '\u202e',
  'eft_0123456789abcdef_',
]
const segment = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
)

const safeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/).filter((s) => !s.includes('local'))
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
)

/** Bodies with the right field names and wrong, missing or odd values. */
const deploymentLike = fc.record(
  {
    service: fc.oneof(safeName, anyValue),
    functionName: fc.oneof(safeName, anyValue),
    serviceName: fc.oneof(safeName, anyValue),
    name: fc.oneof(safeName, anyValue),
    namespace: fc.oneof(fc.constantFrom('openfaas-fn', 'team-a', '', 'NOPE', '*'), anyValue),
    image: fc.oneof(fc.constant('functions/alpine'), anyValue),
    envProcess: fc.constantFrom('cat', 'env', ''),
    replicas: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), anyValue),
    value: anyValue,
    scopes: fc.oneof(
      fc.array(fc.constantFrom('read', 'deploy', 'secrets', 'invoke', 'admin', 'root')),
      anyValue,
    ),
    namespaces: fc.oneof(fc.array(fc.constantFrom('*', 'team-a', 'x', '')), anyValue),
    expiresIn: fc.oneof(fc.constantFrom('1d', '0m', '99999999d', '5x'), anyValue),
    labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), anyValue),
    annotations: fc.oneof(
      fc.dictionary(
        fc.constantFrom(
          'edgefaas.dev/auth',
          'edgefaas.dev/rate-limit',
          'edgefaas.dev/rate-limit-per-caller',
          'edgefaas.dev/jwt-algorithms',
          'edgefaas.dev/jwt-jwks-url',
          'edgefaas.dev/auth-query-param',
          'com.openfaas.retry.attempts',
          'edgefaas.dev/backends',
        ),
        fc.oneof(
          fc.constantFrom(
            'public',
            'token',
            'jwt',
            'private',
            '10/s',
            '1/m burst 2',
            'none',
            'memory',
            'http://10.0.0.1/',
          ),
          fc.string({ maxLength: 20 }).filter((s) => !s.includes('local')),
        ),
      ),
      anyValue,
    ),
  },
  { requiredKeys: [] },
)

/** Past the audit log's 64 KiB look at a body, and past the API's 2 MiB limit: read by two middlewares and a route. */
const large = fc
  .constantFrom(70 * 1024, 3 * 1024 * 1024)
  .map((size) =>
    JSON.stringify({ service: 'big', namespace: 'team-a', image: 'y', annotations: { a: 'x'.repeat(size) } }),
  )

const body = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 10 },
  { arbitrary: deploymentLike.map((o) => JSON.stringify(o)), weight: 10 },
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 10 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 10 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 10 },
  { arbitrary: large, weight: 1 },
)

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/)

export function fuzzRequest(target: FuzzTarget) {
  const routePath = fc.constantFrom(...target.routes).chain((route) =>
    fc.tuple(
      fc.constant(route.method === 'ALL' ? 'PATCH' : route.method),
      fc.array(segment, { minLength: 3, maxLength: 3 }).map(([a, b, c]) => {
        let i = 0
        const fill = [a, b, c]
        return route.path.replace(/:[a-z]+(\{[^}]*\})?/gi, () => fill[i++ % 3] || 'x')
      }),
    ),
  )
  const otherPath = fc.tuple(
    fc.constantFrom(...METHODS),
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom('/function/', '/async-function/', '/system/', '/', '/ui/'),
          fc.array(segment, { maxLength: 4 }),
        )
        .map(([prefix, parts]) => prefix + parts.join('/')),
      fc.constantFrom(
        '/function/echo',
        '/function/echo.team-a',
        '/async-function/echo',
        '/healthz',
        '/metrics',
      ),
    ),
  )
  return fc.record({
    target: fc.oneof(routePath, otherPath),
    query: fc.array(
      fc.tuple(
        fc.constantFrom('namespace', 'name', 'limit', 'after', 'tail', 'since', 'follow', 'key', 'x'),
        segment,
      ),
      { maxLength: 3 },
    ),
    authorization: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(...target.credentials),
      fc.constantFrom('Bearer ', 'Basic ', 'Basic !!!', 'Bearer eft_0123456789abcdef_AAAA', 'Digest x'),
      headerValue,
    ),
    contentType: fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
    ),
    headers: fc.dictionary(
      fc.constantFrom(
        'x-callback-url',
        'x-call-id',
        'origin',
        'sec-fetch-site',
        'x-forwarded-for',
        'x-jwt-claim-sub',
        'x-edgefaas-token-id',
        'connection',
      ),
      headerValue,
      { maxKeys: 3 },
    ),
    body,
  })
}

export type FuzzRequest = ReturnType<typeof fuzzRequest> extends fc.Arbitrary<infer T> ? T : never

/** Sends one fuzzed request; null when it was answered acceptably, the failure otherwise. */
export async function checkOne(
  target: FuzzTarget,
  r: FuzzRequest,
  deadlineMs: number,
): Promise<FuzzFailure | null> {
  const [method, rawPath] = r.target
  const query = r.query.map(([k, v]) => `${k}=${v}`).join('&')
  const path = query ? `${rawPath}?${query}` : rawPath
  const headers = new Headers()
  for (const [name, value] of Object.entries(r.headers)) {
    // Connection options name headers to drop; only a few values are meaningful and all are safe.
    if (name === 'connection' && !/^[a-z, -]*$/i.test(value)) continue
    headers.set(name, value)
  }
  if (r.authorization !== undefined) headers.set('authorization', r.authorization)
  if (r.contentType !== undefined) headers.set('content-type', r.contentType)
  const sendsBody = method !== 'GET' && method !== 'HEAD' && r.body !== undefined
  const init: RequestInit = {
    method,
    headers,
    ...(sendsBody ? { body: r.body as NonNullable<RequestInit['body']> } : {}),
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const answered = target.send(path, init).then(async (response) => {
      await response.arrayBuffer()
      return response.status
    })
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadlineMs)
    })
    const status = await Promise.race([answered, timeout])
    if (status === 'timeout') return { method, path, status, detail: `no answer within ${deadlineMs} ms` }
    const invocation = /^\/(async-)?function\//.test(rawPath)
    if (status === 500 || (status > 500 && status !== 501 && !(invocation && status <= 504))) {
      return { method, path, status, detail: 'server error' }
    }
    return null
  } catch (error) {
    // A request the fetch API itself refuses to build (not a gateway failure) is no finding.
    if (error instanceof TypeError && /header|body|method|URL/i.test(error.message)) return null
    return { method, path, status: 'threw', detail: String(error) }
  } finally {
    clearTimeout(timer)
  }
}
