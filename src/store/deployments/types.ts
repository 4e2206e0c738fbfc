/**
 * @module
 * Deployments: observed state, one row per function on one backend, written by the reconciler.
 */

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

export interface DeploymentStore {
  listDeployments(filter?: {
    namespace?: string
    functionName?: string
    backend?: string
  }): Promise<DeploymentRecord[]>
  /** Creates the row as `pending` if absent, otherwise sets the given fields. */
  upsertDeployment(update: DeploymentUpdate): Promise<void>
  deleteDeployment(namespace: string, functionName: string, backend: string): Promise<void>
}
