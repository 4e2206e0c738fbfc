/**
 * @module
 * Row → record mapping shared by both dialects. The row types come from schema.sqlite.ts; schema.check.ts
 * proves the PostgreSQL rows have the same shape, so these functions serve PgStore unchanged. Mapping is
 * explicit (not a spread) so no storage-only column, such as `deletedAt`, leaks into a record.
 */
import type * as t from './schema.sqlite.ts'
import type {
  BackendRecord,
  CallStateRecord,
  CallUpdate,
  DeadLetterRecord,
  DeploymentRecord,
  DeploymentUpdate,
  FunctionRecord,
  LeasedQueueMessage,
  NamespaceRecord,
  SecretRecord,
} from './types.ts'

export type NamespaceRow = typeof t.namespaces.$inferSelect
export type FunctionRow = typeof t.functions.$inferSelect
export type SecretRow = typeof t.secrets.$inferSelect
export type BackendRow = typeof t.backends.$inferSelect
export type DeploymentRow = typeof t.deployments.$inferSelect
export type QueueMessageRow = typeof t.queueMessages.$inferSelect
export type CallRow = typeof t.calls.$inferSelect
export type DeadLetterRow = typeof t.deadLetters.$inferSelect

export function toNamespace(r: NamespaceRow): NamespaceRecord {
  return { name: r.name, labels: r.labels, annotations: r.annotations, createdAt: r.createdAt }
}

export function toFunction(r: FunctionRow): FunctionRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    spec: r.spec,
    replicas: r.replicas,
    placement: r.placement,
    generation: r.generation,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function toSecret(r: SecretRow): SecretRecord {
  return {
    namespace: r.namespace,
    name: r.name,
    ciphertext: r.ciphertext,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function toBackend(r: BackendRow): BackendRecord {
  return { name: r.name, kind: r.kind, config: r.config, createdAt: r.createdAt }
}

export function toDeployment(r: DeploymentRow): DeploymentRecord {
  return {
    namespace: r.namespace,
    functionName: r.functionName,
    backend: r.backend,
    status: r.status,
    appliedGeneration: r.appliedGeneration,
    observedReplicas: r.observedReplicas,
    availableReplicas: r.availableReplicas,
    lastError: r.lastError,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    updatedAt: r.updatedAt,
  }
}

/** The fields of a deployment update that were given, i.e. what an upsert may overwrite. */
export type DeploymentFields = Omit<DeploymentUpdate, 'namespace' | 'functionName' | 'backend'>

/** The given fields only: `undefined` means "keep", while `null` (e.g. clearing lastError) is a value. */
export function givenDeploymentFields(u: DeploymentUpdate): DeploymentFields {
  const out: DeploymentFields = {}
  if (u.status !== undefined) out.status = u.status
  if (u.appliedGeneration !== undefined) out.appliedGeneration = u.appliedGeneration
  if (u.observedReplicas !== undefined) out.observedReplicas = u.observedReplicas
  if (u.availableReplicas !== undefined) out.availableReplicas = u.availableReplicas
  if (u.lastError !== undefined) out.lastError = u.lastError
  if (u.attempts !== undefined) out.attempts = u.attempts
  if (u.nextAttemptAt !== undefined) out.nextAttemptAt = u.nextAttemptAt
  return out
}

/** A new deployment row: `pending`, never applied, no replicas, overlaid with the given fields. */
export function newDeploymentRow(u: DeploymentUpdate, now: Date): DeploymentRow {
  return {
    namespace: u.namespace,
    functionName: u.functionName,
    backend: u.backend,
    status: 'pending',
    appliedGeneration: 0,
    observedReplicas: 0,
    availableReplicas: 0,
    lastError: null,
    attempts: 0,
    nextAttemptAt: null,
    ...givenDeploymentFields(u),
    updatedAt: now,
  }
}

/** Only ever called on rows just leased, whose token is therefore set. */
export function toLeased(r: QueueMessageRow): LeasedQueueMessage {
  return { record: r.record, deliveryCount: r.deliveryCount, leaseToken: r.leaseToken ?? '' }
}

/**
 * Leased rows in queue order: RETURNING gives no order (SQLite documents it as arbitrary), so the
 * `ORDER BY` of the selecting subquery is applied again here.
 */
export function inQueueOrder(rows: QueueMessageRow[]): QueueMessageRow[] {
  return rows.sort(
    (a, b) =>
      a.availableAt.getTime() - b.availableAt.getTime() ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

export function toCallState(r: CallRow): CallStateRecord {
  return {
    id: r.id,
    namespace: r.namespace,
    function: r.functionName,
    queue: r.queue,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

/** The given fields only, as for deployments: `undefined` keeps, `null` clears. */
export function givenCallFields(u: CallUpdate): CallUpdate {
  const out: CallUpdate = {}
  if (u.status !== undefined) out.status = u.status
  if (u.attempts !== undefined) out.attempts = u.attempts
  if (u.lastStatus !== undefined) out.lastStatus = u.lastStatus
  if (u.lastError !== undefined) out.lastError = u.lastError
  return out
}

export function toDeadLetter(r: DeadLetterRow): DeadLetterRecord {
  return {
    id: r.id,
    namespace: r.namespace,
    function: r.functionName,
    record: r.record,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    attempts: r.attempts,
    createdAt: r.createdAt,
  }
}

/** Finished calls, which retention may delete. */
export const FINISHED_CALL_STATUSES = ['succeeded', 'failed', 'dead', 'cancelled'] as const
