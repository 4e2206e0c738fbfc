/**
 * @module
 * The Store: desired state (functions, namespaces, secrets, backends) and observed state (deployments)
 * in SQL. One interface, one implementation per SQL dialect (sqlite.ts serves embedded SQLite and D1,
 * postgres.ts serves PostgreSQL), all checked by test/conformance/store.suite.ts.
 *
 * Every method is a single statement or a short sequence that stays correct without an interactive
 * transaction, because D1 has none. Concurrent writers are handled with conditional updates.
 */

import type { CallRecord } from '../calls/types.ts'
import type { FunctionDeployment } from '../contract/types.ts'

/** What a function should be; the `spec` is the deploy request as accepted (service and namespace removed). */
export type FunctionSpec = Omit<FunctionDeployment, 'service' | 'namespace'>

export interface FunctionRecord {
  namespace: string
  name: string
  spec: FunctionSpec
  /** Desired replicas across the function's placement. */
  replicas: number
  /** Backend names the function is placed on, in order of preference. */
  placement: string[]
  /** Increments on every change of desired state (spec, replicas, placement, deletion). */
  generation: number
  createdAt: Date
  updatedAt: Date
}

export interface NewFunction {
  namespace: string
  name: string
  spec: FunctionSpec
  replicas: number
  placement: string[]
}

export interface FunctionUpdate {
  namespace: string
  name: string
  spec: FunctionSpec
  placement: string[]
  /** Omitted: keep the current desired replicas. */
  replicas?: number
}

export interface NamespaceRecord {
  name: string
  labels: Record<string, string>
  annotations: Record<string, string>
  createdAt: Date
}

/** A secret as stored: `ciphertext` is opaque to the store (see cipher.ts). */
export interface SecretRecord {
  namespace: string
  name: string
  ciphertext: string
  createdAt: Date
  updatedAt: Date
}

export interface BackendRecord {
  name: string
  /** Provider kind: `local`, `faas-provider`, `lambda`, `ecs`. */
  kind: string
  /** Kind-specific settings; validated by the provider, opaque here. */
  config: Record<string, unknown>
  createdAt: Date
}

/** Where a deployment (one function on one backend) stands. */
export type DeploymentStatus = 'pending' | 'ready' | 'error' | 'removing'

export interface DeploymentRecord {
  namespace: string
  functionName: string
  backend: string
  status: DeploymentStatus
  /** The function generation last applied successfully; 0 when never. */
  appliedGeneration: number
  observedReplicas: number
  availableReplicas: number
  lastError: string | null
  /** Consecutive failed applies, for backoff. */
  attempts: number
  /** Not retried before this time after a failure. */
  nextAttemptAt: Date | null
  updatedAt: Date
}

/** The fields a reconcile pass writes back; the key fields identify the row. */
export type DeploymentUpdate = Pick<DeploymentRecord, 'namespace' | 'functionName' | 'backend'> &
  Partial<Omit<DeploymentRecord, 'namespace' | 'functionName' | 'backend' | 'updatedAt'>>

/** A message of the embedded queue as leased by `queueLease`. */
export interface LeasedQueueMessage {
  record: CallRecord
  /** 1 on the first lease, growing with every lease after a retry or an expired lease. */
  deliveryCount: number
  /** The token this lease was taken with; ack, retry and extend need it. */
  leaseToken: string
}

/** Where an asynchronous call stands. `queued` also covers waiting for a retry. */
export type CallStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead' | 'cancelled'

/** The status of one asynchronous call (not the call itself, which is the queue's `CallRecord`). */
export interface CallStateRecord {
  /** The call id (`X-Call-Id`). */
  id: string
  namespace: string
  function: string
  queue: string
  status: CallStatus
  /** Invocations tried so far. */
  attempts: number
  /** HTTP status of the last invocation; null before the first or when it got no response. */
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  updatedAt: Date
}

export type NewCall = Pick<CallStateRecord, 'id' | 'namespace' | 'function' | 'queue'>

/** The fields `updateCall` may change; omitted ones are kept, `null` clears. */
export type CallUpdate = Partial<Pick<CallStateRecord, 'status' | 'attempts' | 'lastStatus' | 'lastError'>>

/** A call that exhausted its retries; `id` is the call id, `namespace` and `function` those of `record`. */
export interface DeadLetterRecord {
  id: string
  namespace: string
  function: string
  record: CallRecord
  lastStatus: number | null
  lastError: string | null
  attempts: number
  createdAt: Date
}

export type NewDeadLetter = Pick<DeadLetterRecord, 'record' | 'lastStatus' | 'lastError' | 'attempts'>

export interface DeadLetterQuery {
  namespace?: string
  function?: string
  /** Page size, at least 1. */
  limit: number
  /** The `next` cursor of the previous page. */
  after?: string
}

/** One page of dead letters, newest first; `next` is null on the last page. */
export interface DeadLetterPage {
  items: DeadLetterRecord[]
  next: string | null
}

export interface Store {
  // namespaces
  listNamespaces(): Promise<NamespaceRecord[]>
  getNamespace(name: string): Promise<NamespaceRecord | null>
  /** Returns false when the namespace already exists. */
  createNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean>
  /** Returns false when the namespace does not exist. */
  updateNamespace(ns: Omit<NamespaceRecord, 'createdAt'>): Promise<boolean>
  /** Returns false when the namespace does not exist. */
  deleteNamespace(name: string): Promise<boolean>

  // functions (deleted functions are tombstoned until the reconciler has removed them everywhere)
  listFunctions(namespace?: string): Promise<FunctionRecord[]>
  countFunctions(namespace: string): Promise<number>
  getFunction(namespace: string, name: string): Promise<FunctionRecord | null>
  /** Returns null when a live function of that name exists. A tombstoned one is revived. */
  createFunction(fn: NewFunction): Promise<FunctionRecord | null>
  /** Returns null when no live function of that name exists. Bumps the generation. */
  updateFunction(fn: FunctionUpdate): Promise<FunctionRecord | null>
  /** Returns null when no live function of that name exists. Bumps the generation. */
  setReplicas(namespace: string, name: string, replicas: number): Promise<FunctionRecord | null>
  /** Tombstones the function and bumps the generation; returns false when it does not exist. */
  markFunctionDeleted(namespace: string, name: string): Promise<boolean>
  /** Tombstoned functions, for the reconciler. */
  listDeletedFunctions(): Promise<Array<{ namespace: string; name: string; generation: number }>>
  /** Removes a tombstone for good, only if it is still a tombstone at `generation`. */
  purgeFunction(namespace: string, name: string, generation: number): Promise<void>

  // secrets
  listSecrets(namespace: string): Promise<SecretRecord[]>
  getSecret(namespace: string, name: string): Promise<SecretRecord | null>
  /** Returns false when it already exists. */
  createSecret(namespace: string, name: string, ciphertext: string): Promise<boolean>
  /** Returns false when it does not exist. */
  updateSecret(namespace: string, name: string, ciphertext: string): Promise<boolean>
  /** Returns false when it does not exist. */
  deleteSecret(namespace: string, name: string): Promise<boolean>

  // backends
  listBackends(): Promise<BackendRecord[]>
  getBackend(name: string): Promise<BackendRecord | null>
  upsertBackend(backend: Omit<BackendRecord, 'createdAt'>): Promise<void>
  deleteBackend(name: string): Promise<boolean>

  // deployments (observed state)
  listDeployments(filter?: {
    namespace?: string
    functionName?: string
    backend?: string
  }): Promise<DeploymentRecord[]>
  /** Creates the row as `pending` if absent, otherwise sets the given fields. */
  upsertDeployment(update: DeploymentUpdate): Promise<void>
  deleteDeployment(namespace: string, functionName: string, backend: string): Promise<void>

  // leases for singleton background loops when several gateways share one store
  /** Takes or renews `name` for `holder` until `now + ttlMs`; false when another holder has it. */
  tryAcquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>
  releaseLease(name: string, holder: string): Promise<void>

  // the embedded queue (src/queue/embedded.ts); each method is one statement, safe across gateways
  /** Adds the message, available from `availableAt`; false (and no change) when its id is already queued. */
  queueInsert(record: CallRecord, availableAt: Date): Promise<boolean>
  /**
   * Leases up to `max` messages of `queue` that are available at `now` (oldest first) until `leaseUntil`,
   * with `leaseToken`, counting one more delivery each. Concurrent callers never get the same message
   * while its lease holds.
   */
  queueLease(
    queue: string,
    max: number,
    leaseToken: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<LeasedQueueMessage[]>
  /** Deletes the message if `leaseToken` still holds its lease; false otherwise (nothing changes). */
  queueAck(id: string, leaseToken: string): Promise<boolean>
  /** Releases the lease and makes the message available from `availableAt`, if `leaseToken` holds it. */
  queueRetry(id: string, leaseToken: string, availableAt: Date): Promise<boolean>
  /** Moves the lease end to `leaseUntil`, if `leaseToken` holds it. */
  queueExtend(id: string, leaseToken: string, leaseUntil: Date): Promise<boolean>
  /** Messages of `queue`: available, delayed and leased. */
  queueDepth(queue: string): Promise<number>

  // asynchronous calls
  /** Records a new call as `queued` with no attempts; false when the id exists (the call is not changed). */
  createCall(call: NewCall): Promise<boolean>
  getCall(id: string): Promise<CallStateRecord | null>
  /**
   * Sets the given fields and `updatedAt`. With `ifStatus`, only while the call is in one of those
   * statuses (e.g. `queued` → `running` loses against a cancellation). Returns the updated call, or null
   * when it does not exist or the condition failed.
   */
  updateCall(
    id: string,
    fields: CallUpdate,
    ifStatus?: readonly CallStatus[],
  ): Promise<CallStateRecord | null>
  /** Sets a `queued` call to `cancelled`; false when it does not exist or is in any other status. */
  cancelCall(id: string): Promise<boolean>
  /**
   * Retention: deletes finished calls (`succeeded`, `failed`, `dead`, `cancelled`) last updated before
   * `before`, and returns how many. Calls still queued or running are kept whatever their age.
   */
  deleteCallsBefore(before: Date): Promise<number>

  // dead letters
  /** Stores the call as dead; a second add for the same call replaces the details, keeping `createdAt`. */
  addDeadLetter(deadLetter: NewDeadLetter): Promise<void>
  /** Newest first; throws InvalidCursorError (cursor.ts) for an `after` it did not hand out. */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterPage>
  getDeadLetter(id: string): Promise<DeadLetterRecord | null>
  deleteDeadLetter(id: string): Promise<boolean>

  // payloads (claim check for queues with a small message limit)
  /** Stores `body` (base64) under `id`, replacing any previous one. */
  putPayload(id: string, body: string): Promise<void>
  getPayload(id: string): Promise<string | null>
  deletePayload(id: string): Promise<boolean>
  /** Deletes payloads stored before `before` (left behind by messages the queue dropped); returns how many. */
  deletePayloadsBefore(before: Date): Promise<number>

  /** Cheap round trip for /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}
