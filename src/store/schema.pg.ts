/**
 * @module
 * The store's tables for PostgreSQL, mirroring schema.sqlite.ts column for column with native types
 * (`timestamptz`, `json` — not `jsonb`, which reorders keys: users get their labels back as they sent them). schema.check.ts fails the build when the two drift apart.
 */
import { integer, json, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import type { DeploymentStatus, FunctionSpec } from './types.ts'

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
  createdAt: at('created_at').notNull(),
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
