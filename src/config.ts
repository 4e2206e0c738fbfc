/**
 * @module
 * Typed configuration from `EDGEFAAS_*` environment variables, validated once at start so a typo stops
 * the gateway with a message instead of misbehaving later. Runtime-neutral: the runtime passes its env.
 * Every variable is documented in docs/configuration.md.
 */
import { z } from 'zod'
import { AUTOSCALE_ENV, type AutoscaleConfig, autoscaleConfig } from './autoscale/config.ts'
import { CLUSTER_ENV, type ClusterConfig, clusterConfig } from './cluster/config.ts'
import { DEFAULT_NAMESPACE, isDns1123Label } from './contract/names.ts'
import { type CallbackPolicy, checkCallbackUrl, parseCallbackAllowList } from './queue/callback-policy.ts'
import { parseAllowList } from './triggers/allow-list.ts'
import type { TriggerPolicy } from './triggers/types.ts'

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

/** Shorthands for the well-known directories. */
const ACME_DIRECTORIES: Record<string, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
}

const label = z.string().refine(isDns1123Label, { message: 'must be a DNS-1123 label (a-z, 0-9, -)' })

const schema = z.object({
  EDGEFAAS_PORT: int(0, 65535).default(8080),
  EDGEFAAS_HOST: z.string().min(1).default('127.0.0.1'),
  EDGEFAAS_FUNCTIONS_PORT: int(0, 65535).optional(),
  EDGEFAAS_FUNCTIONS_HOST: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i, {
      message: 'must be a host name, without port or scheme',
    })
    .transform((v) => v.toLowerCase())
    .optional(),
  EDGEFAAS_TLS_PORT: int(0, 65535).optional(),
  EDGEFAAS_ACME_DIRECTORY_URL: z
    .string()
    .transform((v) => ACME_DIRECTORIES[v] ?? v)
    .pipe(
      z.url({
        protocol: /^https$/,
        message: 'must be an https:// ACME directory URL, letsencrypt or letsencrypt-staging',
      }),
    )
    .optional(),
  EDGEFAAS_ACME_EMAIL: z.email({ message: 'must be an e-mail address' }).optional(),
  EDGEFAAS_ACME_CA_FILE: z.string().min(1).optional(),
  EDGEFAAS_ACME_EAB_KID: z.string().min(1).optional(),
  EDGEFAAS_ACME_EAB_HMAC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_=-]+$/, { message: 'must be the base64url HMAC key the CA gave' })
    .optional(),
  EDGEFAAS_DATA_DIR: z.string().min(1).default('./data'),
  EDGEFAAS_DATABASE_URL: z.string().default(''),
  EDGEFAAS_ADMIN_USER: z
    .string()
    .min(1)
    .regex(/^[^:\s]+$/, { message: 'must not contain ":" or spaces' })
    .optional(),
  EDGEFAAS_ADMIN_PASSWORD: z.string().min(8, { message: 'must be at least 8 characters' }).optional(),
  EDGEFAAS_BASIC_AUTH: boolean.default(true),
  EDGEFAAS_SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (openssl rand -base64 32)' })
    .optional(),
  EDGEFAAS_DEFAULT_NAMESPACE: label.default(DEFAULT_NAMESPACE),
  EDGEFAAS_DEFAULT_BACKEND: label.default('local'),
  EDGEFAAS_BACKENDS_FILE: z.string().min(1).optional(),
  EDGEFAAS_RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(5000),
  EDGEFAAS_RECONCILE_INLINE_TIMEOUT_MS: int(0, 60_000).default(5000),
  EDGEFAAS_MAX_API_BODY_BYTES: int(1024, 64 * 1024 * 1024).default(2 * 1024 * 1024),
  EDGEFAAS_MAX_REPLICAS: int(1, 10_000).default(100),
  EDGEFAAS_UPSTREAM_TIMEOUT_MS: int(1, 86_400_000).default(60_000),
  EDGEFAAS_ROUTE_CACHE_TTL_MS: int(0, 3_600_000).default(1000),
  EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  EDGEFAAS_FAILOVER_BODY_BYTES: int(0, 64 * 1024 * 1024).default(256 * 1024),
  EDGEFAAS_FAILOVER_BUDGET_PERCENT: int(0, 100).default(20),
  EDGEFAAS_QUEUE_URL: z.string().default(''),
  EDGEFAAS_NATIVE_INVOKE: boolean.default(true),
  EDGEFAAS_WIRE: boolean.default(true),
  EDGEFAAS_PROCESSES: z
    .string()
    .regex(/^(auto|\d+)$/, { message: 'must be auto or a whole number of processes (1 to 64)' })
    .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
    .pipe(
      z.union([
        z.literal('auto'),
        z.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64'),
      ]),
    )
    // One process unless asked: measured on 2 cores, a second process did not pay (the per-call IPC
    // round trip for a replica costs more than the core it adds; docs/performance.md).
    .default(1),
  EDGEFAAS_ASYNC_MAX_BODY_BYTES: int(0, 64 * 1024 * 1024).default(1024 * 1024),
  EDGEFAAS_CALLBACK_ALLOW: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const policy = parseCallbackAllowList(value)
      if (typeof policy !== 'string') return policy
      ctx.addIssue({ code: 'custom', message: policy })
      return z.NEVER
    }),
  EDGEFAAS_WORKER: boolean.default(true),
  EDGEFAAS_WORKER_MAX_INFLIGHT: int(1, 10_000).default(50),
  EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION: int(1, 10_000).default(10),
  EDGEFAAS_QUEUE_LEASE_MS: int(1000, 3_600_000).default(30_000),
  EDGEFAAS_RETRY_ATTEMPTS: int(0, 1000).default(10),
  EDGEFAAS_RETRY_CODES: z
    .string()
    .regex(/^\s*\d{3}(\s*,\s*\d{3})*\s*$/, { message: 'must be a comma-separated list of HTTP status codes' })
    .default('408,429,500,502,503,504'),
  EDGEFAAS_RETRY_MIN_WAIT_MS: int(0, 3_600_000).default(10_000),
  EDGEFAAS_RETRY_MAX_WAIT_MS: int(0, 86_400_000).default(120_000),
  EDGEFAAS_RETRY_BACKOFF: z.enum(['exponential', 'full', 'equal']).default('exponential'),
  EDGEFAAS_CALLBACK_ATTEMPTS: int(1, 100).default(5),
  EDGEFAAS_CALL_RETENTION_HOURS: int(1, 87_600).default(168),
  EDGEFAAS_TRIGGERS: boolean.default(true),
  EDGEFAAS_TRIGGERS_SQS_QUEUES: z.string().default(''),
  EDGEFAAS_TRIGGERS_SQS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' })
    .optional(),
  EDGEFAAS_TRIGGERS_SQS_ENDPOINT: z
    .string()
    .url({ message: 'must be a URL such as http://127.0.0.1:9324' })
    .optional(),
  EDGEFAAS_TRIGGERS_SQS_VISIBILITY_SECONDS: int(1, 43_200).default(30),
  EDGEFAAS_TRIGGERS_NATS_URL: z.string().default(''),
  EDGEFAAS_TRIGGERS_NATS_SUBJECTS: z.string().default(''),
  EDGEFAAS_LOCAL_SANDBOX: z.enum(['auto', 'bwrap', 'user', 'none']).default('auto'),
  EDGEFAAS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  EDGEFAAS_BUILD_SHA: z.string().min(1).optional(),
  ...AUTOSCALE_ENV,
  ...CLUSTER_ENV,
  EDGEFAAS_RATE_LIMIT_STATE: z.enum(['auto', 'memory', 'store']).default('auto'),
  EDGEFAAS_TOKEN_CACHE_MS: int(0, 60_000).default(1000),
  EDGEFAAS_AUDIT_RETENTION_DAYS: int(1, 36_500).default(90),
  EDGEFAAS_AUDIT_WEBHOOK_URL: z
    .string()
    .url({ message: 'must be an absolute http(s) URL' })
    .refine((u) => /^https?:\/\//i.test(u), { message: 'must use http or https' })
    .optional(),
  EDGEFAAS_AUDIT_WEBHOOK_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  // OpenFaaS gateway compatibility: `basic_auth=true` + `secret_mount_path` holding basic-auth-user/-password.
  basic_auth: z.string().optional(),
  secret_mount_path: z.string().optional(),
})

export interface Config {
  port: number
  host: string
  /** Node: a second listener that serves only invocations (and /healthz); the API port then serves none. */
  functionsPort: number | undefined
  /** Requests with this Host serve only invocations; then other hosts serve none. Lower-case, no port. */
  functionsHost: string | undefined
  /** Node: the HTTPS listener of custom domains, choosing the certificate by SNI (docs/domains.md). */
  tlsPort: number | undefined
  /** Ordering certificates over ACME for custom domains; null when EDGEFAAS_ACME_DIRECTORY_URL is unset. */
  acme: AcmeConfig | null
  dataDir: string
  /** Empty: the embedded SQLite file under dataDir (Node) or the D1 binding (Workers). */
  databaseUrl: string
  adminUser: string | undefined
  adminPassword: string | undefined
  basicAuth: boolean
  secretsKey: string | undefined
  defaultNamespace: string
  defaultBackend: string
  /** Node: a YAML file of backends upserted into the store at start (docs/backends.md). */
  backendsFile: string | undefined
  /** Node: serve `/function/*` on node:http's own objects over the pooled client (false: through fetch). */
  nativeInvoke: boolean
  /**
   * Node: the fast door — plain invocations read and answered on the raw socket, the rest handed to
   * node:http (runtime/node/wire/server/); only with `nativeInvoke`.
   */
  wire: boolean
  /**
   * Node: processes that accept connections on the gateway's ports (runtime/node/cluster/). `auto`: the
   * launcher decides (`npm start` / `edgefaas serve`: the available cores; an embedded startGateway: 1).
   */
  processes: number | 'auto'
  reconcileIntervalMs: number
  reconcileInlineTimeoutMs: number
  maxApiBodyBytes: number
  maxReplicas: number
  upstreamTimeoutMs: number
  routeCacheTtlMs: number
  scaleFromZeroTimeoutMs: number
  /** Request bodies up to this size are kept while a call is out, so it can fail over to another backend. */
  failoverBodyBytes: number
  /** Resends to another backend may add at most this share (%) to the calls sent, plus 10 per second. */
  failoverBudgetPercent: number
  /** Empty: the embedded queue (a table in the store); `nats://…`; `sqs://<region>/<queue-prefix>`. */
  queueUrl: string
  asyncMaxBodyBytes: number
  /** Hosts and ranges callbacks may reach although private (EDGEFAAS_CALLBACK_ALLOW, parsed). */
  callbackPolicy: CallbackPolicy
  /** Run the async worker inside the gateway process. */
  worker: boolean
  workerMaxInflight: number
  workerMaxInflightPerFunction: number
  queueLeaseMs: number
  retry: {
    attempts: number
    codes: number[]
    minWaitMs: number
    maxWaitMs: number
    backoff: 'exponential' | 'full' | 'equal'
  }
  callbackAttempts: number
  /** Finished async calls' statuses are kept this long. */
  callRetentionMs: number
  /** Event triggers (docs/triggers.md): whether this gateway runs sources, and what functions may name. */
  triggers: {
    enabled: boolean
    policy: TriggerPolicy
    sqsRegion: string | undefined
    sqsEndpoint: string | undefined
    sqsVisibilitySeconds: number
    /** NATS servers for `nats:` topics; empty: EDGEFAAS_QUEUE_URL's when that is NATS. */
    natsUrl: string
  }
  localSandbox: 'auto' | 'bwrap' | 'user' | 'none'
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  buildSha: string | undefined
  /** The autoscaler (src/autoscale/config.ts). */
  autoscale: AutoscaleConfig
  /** Roles, instance name, drain delay, NATS replicas (src/cluster/config.ts, docs/scaling.md). */
  cluster: ClusterConfig
  /** Where GCRA rate-limit state lives: `store` (shared by every gateway on the store) or this process. */
  rateLimitState: 'memory' | 'store'
  /** How long a verified API token is trusted without rereading the store. */
  tokenCacheMs: number
  auditRetentionMs: number
  /** Each audit entry is POSTed here, signed with `auditWebhookSecret`. */
  auditWebhook: { url: string; secret: string } | undefined
  /** Directory with OpenFaaS-style `basic-auth-user` / `basic-auth-password` files, when configured. */
  openfaasSecretMountPath: string | undefined
}

export interface AcmeConfig {
  directoryUrl: string
  /** The account's contact; CAs send expiry warnings there. */
  email: string | undefined
  /** PEM bundle trusted for the ACME server's own HTTPS (a test CA such as pebble's), beside the system's. */
  caFile: string | undefined
  /** External account binding, for CAs that require one (ZeroSSL, Google). */
  externalAccount: { kid: string; hmacKey: string } | undefined
}

/** Thrown when the environment is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads and validates configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  if (
    e.EDGEFAAS_FUNCTIONS_PORT !== undefined &&
    e.EDGEFAAS_FUNCTIONS_PORT !== 0 &&
    e.EDGEFAAS_FUNCTIONS_PORT === e.EDGEFAAS_PORT
  ) {
    throw new ConfigError(
      'invalid configuration:\n  EDGEFAAS_FUNCTIONS_PORT: must differ from EDGEFAAS_PORT (functions get their own origin)',
    )
  }
  if ((e.EDGEFAAS_AUDIT_WEBHOOK_URL === undefined) !== (e.EDGEFAAS_AUDIT_WEBHOOK_SECRET === undefined)) {
    throw new ConfigError(
      'invalid configuration:\n  EDGEFAAS_AUDIT_WEBHOOK_URL and EDGEFAAS_AUDIT_WEBHOOK_SECRET: set both or neither (the secret signs every entry)',
    )
  }
  if (e.EDGEFAAS_AUDIT_WEBHOOK_URL !== undefined) {
    const verdict = checkCallbackUrl(e.EDGEFAAS_AUDIT_WEBHOOK_URL, e.EDGEFAAS_CALLBACK_ALLOW)
    if (!verdict.ok) {
      throw new ConfigError(
        `invalid configuration:\n  EDGEFAAS_AUDIT_WEBHOOK_URL: ${verdict.reason.replace('X-Callback-Url', 'the URL')} (allow it with EDGEFAAS_CALLBACK_ALLOW)`,
      )
    }
  }
  const tlsPort = e.EDGEFAAS_TLS_PORT
  if (
    tlsPort !== undefined &&
    tlsPort !== 0 &&
    (tlsPort === e.EDGEFAAS_PORT || tlsPort === e.EDGEFAAS_FUNCTIONS_PORT)
  ) {
    throw new ConfigError(
      'invalid configuration:\n  EDGEFAAS_TLS_PORT: must differ from EDGEFAAS_PORT and EDGEFAAS_FUNCTIONS_PORT (HTTPS has its own listener)',
    )
  }
  if ((e.EDGEFAAS_ACME_EAB_KID === undefined) !== (e.EDGEFAAS_ACME_EAB_HMAC_KEY === undefined)) {
    throw new ConfigError(
      'invalid configuration:\n  EDGEFAAS_ACME_EAB_KID, EDGEFAAS_ACME_EAB_HMAC_KEY: set both or neither',
    )
  }
  const openfaasAuth = e.basic_auth === 'true'
  const autoscale = autoscaleConfig(e)
  if (typeof autoscale === 'string') throw new ConfigError(`invalid configuration:\n  ${autoscale}`)
  const cluster = clusterConfig(e)
  return {
    port: e.EDGEFAAS_PORT,
    host: e.EDGEFAAS_HOST,
    functionsPort: e.EDGEFAAS_FUNCTIONS_PORT,
    functionsHost: e.EDGEFAAS_FUNCTIONS_HOST,
    tlsPort: e.EDGEFAAS_TLS_PORT,
    acme:
      e.EDGEFAAS_ACME_DIRECTORY_URL === undefined
        ? null
        : {
            directoryUrl: e.EDGEFAAS_ACME_DIRECTORY_URL,
            email: e.EDGEFAAS_ACME_EMAIL,
            caFile: e.EDGEFAAS_ACME_CA_FILE,
            externalAccount:
              e.EDGEFAAS_ACME_EAB_KID !== undefined && e.EDGEFAAS_ACME_EAB_HMAC_KEY !== undefined
                ? { kid: e.EDGEFAAS_ACME_EAB_KID, hmacKey: e.EDGEFAAS_ACME_EAB_HMAC_KEY }
                : undefined,
          },
    dataDir: e.EDGEFAAS_DATA_DIR,
    databaseUrl: e.EDGEFAAS_DATABASE_URL,
    adminUser: e.EDGEFAAS_ADMIN_USER,
    adminPassword: e.EDGEFAAS_ADMIN_PASSWORD,
    basicAuth: e.EDGEFAAS_BASIC_AUTH,
    secretsKey: e.EDGEFAAS_SECRETS_KEY,
    defaultNamespace: e.EDGEFAAS_DEFAULT_NAMESPACE,
    defaultBackend: e.EDGEFAAS_DEFAULT_BACKEND,
    backendsFile: e.EDGEFAAS_BACKENDS_FILE,
    nativeInvoke: e.EDGEFAAS_NATIVE_INVOKE,
    wire: e.EDGEFAAS_WIRE,
    processes: e.EDGEFAAS_PROCESSES,
    reconcileIntervalMs: e.EDGEFAAS_RECONCILE_INTERVAL_MS,
    reconcileInlineTimeoutMs: e.EDGEFAAS_RECONCILE_INLINE_TIMEOUT_MS,
    maxApiBodyBytes: e.EDGEFAAS_MAX_API_BODY_BYTES,
    maxReplicas: e.EDGEFAAS_MAX_REPLICAS,
    upstreamTimeoutMs: e.EDGEFAAS_UPSTREAM_TIMEOUT_MS,
    routeCacheTtlMs: e.EDGEFAAS_ROUTE_CACHE_TTL_MS,
    scaleFromZeroTimeoutMs: e.EDGEFAAS_SCALE_FROM_ZERO_TIMEOUT_MS,
    failoverBodyBytes: e.EDGEFAAS_FAILOVER_BODY_BYTES,
    failoverBudgetPercent: e.EDGEFAAS_FAILOVER_BUDGET_PERCENT,
    queueUrl: e.EDGEFAAS_QUEUE_URL,
    asyncMaxBodyBytes: e.EDGEFAAS_ASYNC_MAX_BODY_BYTES,
    callbackPolicy: e.EDGEFAAS_CALLBACK_ALLOW,
    // EDGEFAAS_WORKER=false predates EDGEFAAS_ROLES and still turns the worker off.
    worker: e.EDGEFAAS_WORKER && cluster.roles.has('worker'),
    workerMaxInflight: e.EDGEFAAS_WORKER_MAX_INFLIGHT,
    workerMaxInflightPerFunction: e.EDGEFAAS_WORKER_MAX_INFLIGHT_PER_FUNCTION,
    queueLeaseMs: e.EDGEFAAS_QUEUE_LEASE_MS,
    retry: {
      attempts: e.EDGEFAAS_RETRY_ATTEMPTS,
      codes: e.EDGEFAAS_RETRY_CODES.split(',').map((c) => Number(c.trim())),
      minWaitMs: e.EDGEFAAS_RETRY_MIN_WAIT_MS,
      maxWaitMs: e.EDGEFAAS_RETRY_MAX_WAIT_MS,
      backoff: e.EDGEFAAS_RETRY_BACKOFF,
    },
    callbackAttempts: e.EDGEFAAS_CALLBACK_ATTEMPTS,
    callRetentionMs: e.EDGEFAAS_CALL_RETENTION_HOURS * 3_600_000,
    triggers: {
      enabled: e.EDGEFAAS_TRIGGERS,
      policy: {
        sqsQueues: parseAllowList(e.EDGEFAAS_TRIGGERS_SQS_QUEUES),
        natsSubjects: parseAllowList(e.EDGEFAAS_TRIGGERS_NATS_SUBJECTS),
      },
      sqsRegion: e.EDGEFAAS_TRIGGERS_SQS_REGION,
      sqsEndpoint: e.EDGEFAAS_TRIGGERS_SQS_ENDPOINT,
      sqsVisibilitySeconds: e.EDGEFAAS_TRIGGERS_SQS_VISIBILITY_SECONDS,
      natsUrl: e.EDGEFAAS_TRIGGERS_NATS_URL,
    },
    localSandbox: e.EDGEFAAS_LOCAL_SANDBOX,
    logLevel: e.EDGEFAAS_LOG_LEVEL,
    buildSha: e.EDGEFAAS_BUILD_SHA,
    autoscale,
    cluster,
    rateLimitState:
      e.EDGEFAAS_RATE_LIMIT_STATE === 'auto'
        ? /^postgres(ql)?:\/\//i.test(e.EDGEFAAS_DATABASE_URL)
          ? 'store'
          : 'memory'
        : e.EDGEFAAS_RATE_LIMIT_STATE,
    tokenCacheMs: e.EDGEFAAS_TOKEN_CACHE_MS,
    auditRetentionMs: e.EDGEFAAS_AUDIT_RETENTION_DAYS * 86_400_000,
    auditWebhook:
      e.EDGEFAAS_AUDIT_WEBHOOK_URL !== undefined && e.EDGEFAAS_AUDIT_WEBHOOK_SECRET !== undefined
        ? { url: e.EDGEFAAS_AUDIT_WEBHOOK_URL, secret: e.EDGEFAAS_AUDIT_WEBHOOK_SECRET }
        : undefined,
    openfaasSecretMountPath: openfaasAuth ? (e.secret_mount_path ?? '/run/secrets/') : undefined,
  }
}
