/**
 * @module
 * The DeploymentStore over SQL, for every dialect.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { DeploymentRecord, DeploymentStore, DeploymentUpdate } from './types.ts'

function toDeployment(r: Row<'deployments'>): DeploymentRecord {
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
type DeploymentFields = Omit<DeploymentUpdate, 'namespace' | 'functionName' | 'backend'>

/** The given fields only: `undefined` means "keep", while `null` (e.g. clearing lastError) is a value. */
function givenDeploymentFields(u: DeploymentUpdate): DeploymentFields {
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
function newDeploymentRow(u: DeploymentUpdate, now: Date): Row<'deployments'> {
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

/** The DeploymentStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function deploymentStore({ db, tables: { deployments } }: Dialect): DeploymentStore {
  return {
    async listDeployments(filter = {}) {
      const rows = await db
        .select()
        .from(deployments)
        .where(
          and(
            filter.namespace === undefined ? undefined : eq(deployments.namespace, filter.namespace),
            filter.functionName === undefined ? undefined : eq(deployments.functionName, filter.functionName),
            filter.backend === undefined ? undefined : eq(deployments.backend, filter.backend),
          ),
        )
        .orderBy(asc(deployments.namespace), asc(deployments.functionName), asc(deployments.backend))
      return rows.map(toDeployment)
    },

    /** A new row takes the given fields over the `pending` defaults; an existing row changes only those. */
    async upsertDeployment(update) {
      const row = newDeploymentRow(update, new Date())
      await db
        .insert(deployments)
        .values(row)
        .onConflictDoUpdate({
          target: [deployments.namespace, deployments.functionName, deployments.backend],
          set: { ...givenDeploymentFields(update), updatedAt: row.updatedAt },
        })
    },

    async deleteDeployment(namespace, functionName, backend) {
      await db
        .delete(deployments)
        .where(
          and(
            eq(deployments.namespace, namespace),
            eq(deployments.functionName, functionName),
            eq(deployments.backend, backend),
          ),
        )
    },
  }
}
