/**
 * @module
 * The store's tables for PostgreSQL, mirroring schema.sqlite.ts column for column with native types
 * (`timestamptz`, `json` — not `jsonb`, which reorders keys: users get their labels back as they sent them). schema.check.ts fails the build when the two drift apart.
 */
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import type { CallRecord } from '../calls/types.ts'
import type { ScalingInputs, ScalingState } from './autoscale/types.ts'
import type { CertificateSource } from './certificates/types.ts'
import type { CallStatus, DeploymentStatus, DomainSource, DomainTls, FunctionSpec } from './types.ts'

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export const namespaces = pgTable('namespaces', {
  name: text('name').primaryKey(),
  labels: json('labels').$type<Record<string, string>>().notNull(),
  annotations: json('annotations').$type<Record<string, string>>().notNull(),
  createdAt: at('created_at').notNull(),
})

export const functions = pgTable(
  'functions',
  {
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    spec: json('spec').$type<FunctionSpec>().notNull(),
    replicas: integer('replicas').notNull(),
    placement: json('placement').$type<string[]>().notNull(),
    generation: integer('generation').notNull(),
    /** Set while the function is deleted but not yet removed from every backend. */
    deletedAt: at('deleted_at'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.name] })],
)

export const secrets = pgTable(
  'secrets',
  {
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    ciphertext: text('ciphertext').notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.name] })],
)

export const backends = pgTable('backends', {
  name: text('name').primaryKey(),
  kind: text('kind').notNull(),
  config: json('config').$type<Record<string, unknown>>().notNull(),
  labels: json('labels').$type<Record<string, string>>().notNull().default({}),
  isDefault: boolean('is_default').notNull().default(false),
  credentials: text('credentials'),
  createdAt: at('created_at').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

export const deployments = pgTable(
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
    nextAttemptAt: at('next_attempt_at'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.functionName, t.backend] })],
)

export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: at('expires_at').notNull(),
})

/** See schema.sqlite.ts. `json`, not `jsonb`, so a record's header order and body come back untouched. */
export const queueMessages = pgTable(
  'queue_messages',
  {
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    record: json('record').$type<CallRecord>().notNull(),
    availableAt: at('available_at').notNull(),
    leaseToken: text('lease_token'),
    leaseUntil: at('lease_until'),
    deliveryCount: integer('delivery_count').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('queue_messages_queue_available_idx').on(t.queue, t.availableAt)],
)

export const calls = pgTable(
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
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    index('calls_updated_idx').on(t.updatedAt),
    // The autoscaler counts each function's queued and running calls (its async backlog) every tick.
    index('calls_status_idx').on(t.status, t.namespace, t.functionName),
  ],
)

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    record: json('record').$type<CallRecord>().notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('dead_letters_created_idx').on(t.createdAt, t.id),
    index('dead_letters_function_idx').on(t.namespace, t.functionName, t.createdAt),
  ],
)

export const payloads = pgTable('payloads', {
  id: text('id').primaryKey(),
  body: text('body').notNull(),
  createdAt: at('created_at').notNull(),
})

/** See schema.sqlite.ts. */
export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull(),
  scopes: json('scopes').$type<string[]>().notNull(),
  namespaces: json('namespaces').$type<string[]>().notNull(),
  functions: json('functions').$type<string[] | null>(),
  createdAt: at('created_at').notNull(),
  expiresAt: at('expires_at'),
  revokedAt: at('revoked_at'),
})

export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: at('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    source: text('source').notNull(),
    status: integer('status').notNull(),
  },
  (t) => [index('audit_log_at').on(t.at, t.id)],
)

/** Microseconds fit a JavaScript number until the year 2255, so `mode: 'number'` loses nothing. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  tatMicros: bigint('tat_micros', { mode: 'number' }).notNull(),
})

export const domains = pgTable(
  'domains',
  {
    host: text('host').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    pathPrefix: text('path_prefix').notNull(),
    redirectHttps: boolean('redirect_https').notNull(),
    tls: text('tls').$type<DomainTls>().notNull(),
    source: text('source').$type<DomainSource>().notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [index('domains_function_idx').on(t.namespace, t.functionName)],
)

export const certificates = pgTable('certificates', {
  host: text('host').primaryKey(),
  source: text('source').$type<CertificateSource>(),
  chainPem: text('chain_pem'),
  keyCiphertext: text('key_ciphertext'),
  notBefore: at('not_before'),
  notAfter: at('not_after'),
  version: integer('version').notNull(),
  lastError: text('last_error'),
  attempts: integer('attempts').notNull(),
  nextAttemptAt: at('next_attempt_at'),
  updatedAt: at('updated_at').notNull(),
})

export const acmeAccounts = pgTable('acme_accounts', {
  directoryUrl: text('directory_url').primaryKey(),
  keyCiphertext: text('key_ciphertext').notNull(),
  createdAt: at('created_at').notNull(),
})

export const acmeChallenges = pgTable('acme_challenges', {
  token: text('token').primaryKey(),
  host: text('host').notNull(),
  keyAuthorization: text('key_authorization').notNull(),
  expiresAt: at('expires_at').notNull(),
})

/** See schema.sqlite.ts. */
export const loadSamples = pgTable(
  'load_samples',
  {
    instance: text('instance').notNull(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    rps: doublePrecision('rps').notNull(),
    okRps: doublePrecision('ok_rps').notNull(),
    inflight: doublePrecision('inflight').notNull(),
    started: integer('started').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.instance, t.namespace, t.functionName] })],
)

export const scalingStates = pgTable(
  'scaling_states',
  {
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    state: json('state').$type<ScalingState>().notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.functionName] })],
)

export const scalingDecisions = pgTable(
  'scaling_decisions',
  {
    id: text('id').primaryKey(),
    namespace: text('namespace').notNull(),
    functionName: text('function_name').notNull(),
    at: at('at').notNull(),
    fromReplicas: integer('from_replicas').notNull(),
    toReplicas: integer('to_replicas').notNull(),
    reason: text('reason').notNull(),
    inputs: json('inputs').$type<ScalingInputs>().notNull(),
  },
  (t) => [index('scaling_decisions_function_idx').on(t.namespace, t.functionName, t.at)],
)
/** Messages handed to an external queue that tells no depth (schema.sqlite.ts says more). */
export const queueLedger = pgTable(
  'queue_ledger',
  {
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('queue_ledger_queue_idx').on(t.queue)],
)

/** Version counters isolates poll to learn that something changed (schema.sqlite.ts says more). */
export const versions = pgTable('versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull(),
  updatedAt: at('updated_at').notNull(),
})

/** Where each background loop stands (schema.sqlite.ts says more). */
export const loopState = pgTable('loop_state', {
  name: text('name').primaryKey(),
  cursor: text('cursor'),
  passDoneAt: at('pass_done_at'),
  updatedAt: at('updated_at').notNull(),
})
