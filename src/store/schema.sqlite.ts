/**
 * @module
 * The store's tables for SQLite (embedded `node:sqlite` and D1). Timestamps are integer milliseconds and
 * JSON is text, because SQLite has neither type natively. schema.pg.ts mirrors these tables column for
 * column; schema.check.ts fails the build when the two drift apart.
 */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { DeploymentStatus, FunctionSpec } from './types.ts'

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

export const backends = sqliteTable('backends', {
  name: text('name').primaryKey(),
  kind: text('kind').notNull(),
  config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
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
