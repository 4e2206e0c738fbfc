/**
 * @module
 * The store's tables for SQLite (embedded `node:sqlite` and D1). Timestamps are integer milliseconds and
 * JSON is text, because SQLite has neither type natively. schema.pg.ts mirrors these tables column for
 * column; schema.check.ts fails the build when the two drift apart.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { CallRecord } from '../calls/types.ts'
import type { ScalingInputs, ScalingState } from './autoscale/types.ts'
import type { CertificateSource } from './certificates/types.ts'
import type { CallStatus, DeploymentStatus, DomainSource, DomainTls, FunctionSpec } from './types.ts'

export const namespaces = sqliteTable('namespaces', {
  name: text('name').primaryKey(),
  labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  annotations: text('annotations', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

export const functions = sqliteTable(
  'functions',
  {
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    spec: text('spec', { mode: 'json' }).$type<FunctionSpec>().notNull(),
    replicas: integer('replicas').notNull(),
    placement: text('placement', { mode: 'json' }).$type<string[]>().notNull(),
    generation: integer('generation').notNull(),
    /** Set while the function is deleted but not yet removed from every backend. */
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.name] })],
)

export const secrets = sqliteTable(
  'secrets',
  {
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    ciphertext: text('ciphertext').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.name] })],
)

/**
 * Backends functions are placed on. `credentials` is the secrets cipher's ciphertext of the backend's
 * credentials (never plain text); `is_default` marks the backend of functions that name none.
 */
export const backends = sqliteTable('backends', {
  name: text('name').primaryKey(),
  kind: text('kind').notNull(),
  config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
  isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
  credentials: text('credentials'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`0`),
})

export const deployments = sqliteTable(
  'deployments',
  {
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    backend: text('backend').notNull(),
    status: text('status').$type<DeploymentStatus>().notNull(),
    appliedGeneration: integer('applied_generation').notNull(),
    observedReplicas: integer('observed_replicas').notNull(),
    availableReplicas: integer('available_replicas').notNull(),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.functionName, t.backend] })],
)

export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * The embedded queue: one row per message not yet acked. A message is available when `available_at` has
 * passed and it holds no lease (or its lease has ended); `lease_token` tells the current holder apart from
 * one whose lease ran out and was taken over.
 */
export const queueMessages = sqliteTable(
  'queue_messages',
  {
    /** The call id: enqueuing the same call twice keeps one message. */
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    record: text('record', { mode: 'json' }).$type<CallRecord>().notNull(),
    availableAt: integer('available_at', { mode: 'timestamp_ms' }).notNull(),
    leaseToken: text('lease_token'),
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    deliveryCount: integer('delivery_count').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('queue_messages_queue_available_idx').on(t.queue, t.availableAt)],
)

/** One row per asynchronous call, for its status and cancellation; kept after the message is gone. */
export const calls = sqliteTable(
  'calls',
  {
    id: text('id').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    queue: text('queue').notNull(),
    status: text('status').$type<CallStatus>().notNull(),
    attempts: integer('attempts').notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('calls_updated_idx').on(t.updatedAt),
    // The autoscaler counts each function's queued and running calls (its async backlog) every tick.
    index('calls_status_idx').on(t.status, t.namespace, t.functionName),
  ],
)

/**
 * Calls that exhausted their retries, kept for listing and replay. `namespace` and `function_name` repeat
 * the record's fields so listings can filter without JSON functions, which differ per dialect.
 */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    record: text('record', { mode: 'json' }).$type<CallRecord>().notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('dead_letters_created_idx').on(t.createdAt, t.id),
    index('dead_letters_function_idx').on(t.namespace, t.functionName, t.createdAt),
  ],
)

/** Request bodies too large for the queue's own message limit (claim check); `body` is base64. */
export const payloads = sqliteTable('payloads', {
  id: text('id').primaryKey(),
  body: text('body').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * API tokens (`/system/tokens`). Only the SHA-256 of the secret part is kept: a stolen backup yields no
 * usable token. `id` is the public part every token carries, the lookup key.
 */
export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  /** Namespaces the token acts in; `["*"]` is every namespace. */
  namespaces: text('namespaces', { mode: 'json' }).$type<string[]>().notNull(),
  /** Functions (`name.namespace`) an invoke token is limited to; null: any in its namespaces. */
  functions: text('functions', { mode: 'json' }).$type<string[] | null>(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
})

/** Every `/system` write, who made it and how it ended. `id` sorts by time within one millisecond. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    source: text('source').notNull(),
    status: integer('status').notNull(),
  },
  (t) => [index('audit_log_at').on(t.at, t.id)],
)

/**
 * GCRA state of the rate limits shared between gateways: the theoretical arrival time of the next call,
 * in microseconds since the epoch. A row whose time has passed means the same as no row, so pruning it
 * changes nothing.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  tatMicros: integer('tat_micros').notNull(),
})

/**
 * Custom domains: a host (exact or `*.suffix`, normalised: lower-case, IDNA, no trailing dot) mapped to
 * one function. `source` tells a domain made through /system/domains from one a function's
 * `edgefaas.dev/domains` annotation owns (removed with the annotation).
 */
export const domains = sqliteTable(
  'domains',
  {
    host: text('host').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    pathPrefix: text('path_prefix').notNull(),
    redirectHttps: integer('redirect_https', { mode: 'boolean' }).notNull(),
    tls: text('tls').$type<DomainTls>().notNull(),
    source: text('source').$type<DomainSource>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('domains_function_idx').on(t.namespace, t.functionName)],
)

/**
 * One TLS certificate per domain host, shared by every gateway on the store. `key_ciphertext` is the
 * secrets cipher's ciphertext of the PEM private key (never plain text). `version` goes up with each new
 * certificate so gateways can tell theirs is stale without reading the PEM; the failure columns drive
 * ACME retries and are shown at /system/domains/{host}.
 */
export const certificates = sqliteTable('certificates', {
  host: text('host').primaryKey(),
  source: text('source').$type<CertificateSource>(),
  chainPem: text('chain_pem'),
  keyCiphertext: text('key_ciphertext'),
  notBefore: integer('not_before', { mode: 'timestamp_ms' }),
  notAfter: integer('not_after', { mode: 'timestamp_ms' }),
  version: integer('version').notNull(),
  lastError: text('last_error'),
  attempts: integer('attempts').notNull(),
  nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

/** The ACME account of each directory, shared by the gateways so they order as one client. */
export const acmeAccounts = sqliteTable('acme_accounts', {
  directoryUrl: text('directory_url').primaryKey(),
  keyCiphertext: text('key_ciphertext').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

/** HTTP-01 answers in flight: whichever gateway the CA reaches answers from here. */
export const acmeChallenges = sqliteTable('acme_challenges', {
  token: text('token').primaryKey(),
  host: text('host').notNull(),
  keyAuthorization: text('key_authorization').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * The built-in load source: each gateway's own counts per function over the last window, upserted on its
 * autoscale tick; the lease holder sums the fresh rows of every gateway (src/autoscale/builtin-source.ts).
 */
export const loadSamples = sqliteTable(
  'load_samples',
  {
    instance: text('instance').notNull(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    rps: real('rps').notNull(),
    okRps: real('ok_rps').notNull(),
    inflight: real('inflight').notNull(),
    /** Calls started within the window (activity for scale to zero). */
    started: integer('started').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.instance, t.namespace, t.functionName] })],
)

/** What the scaling policy remembers per function between ticks, so a new lease holder carries on. */
export const scalingStates = sqliteTable(
  'scaling_states',
  {
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    state: text('state', { mode: 'json' }).$type<ScalingState>().notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.functionName] })],
)

/** The scaling history: each change of desired replicas the autoscaler or an alert made, with its inputs. */
export const scalingDecisions = sqliteTable(
  'scaling_decisions',
  {
    id: text('id').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    fromReplicas: integer('from_replicas').notNull(),
    toReplicas: integer('to_replicas').notNull(),
    reason: text('reason').notNull(),
    inputs: text('inputs', { mode: 'json' }).$type<ScalingInputs>().notNull(),
  },
  (t) => [index('scaling_decisions_function_idx').on(t.namespace, t.functionName, t.at)],
)

/**
 * Messages handed to an external queue that tells no depth (Cloudflare Queues): one row per message from
 * enqueue until ack, so `depth` can count them (src/queue/cloudflare/driver.ts).
 */
export const queueLedger = sqliteTable(
  'queue_ledger',
  {
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('queue_ledger_queue_idx').on(t.queue)],
)

/**
 * Version counters that isolates sharing one store poll to learn that something changed (the route
 * cache's version row on Workers, src/routing/versioned-route-cache.ts).
 */
export const versions = sqliteTable('versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * Where each background loop stands (src/loops/runner.ts): the cursor of a pass cut short by its time
 * budget, resumed by the next tick, and when the last pass finished.
 */
export const loopState = sqliteTable('loop_state', {
  name: text('name').primaryKey(),
  cursor: text('cursor'),
  passDoneAt: integer('pass_done_at', { mode: 'timestamp_ms' }),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})
