/**
 * @module
 * The Store: desired state (functions, namespaces, secrets, backends) and observed state (deployments)
 * in SQL. One interface, one implementation per SQL dialect (sqlite.ts serves embedded SQLite and D1,
 * postgres.ts serves PostgreSQL), all checked by test/conformance/store.suite.ts.
 *
 * Every method is a single statement or a short sequence that stays correct without an interactive
 * transaction, because D1 has none. Concurrent writers are handled with conditional updates.
 */
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

  /** Cheap round trip for /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}
