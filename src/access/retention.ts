/**
 * @module
 * The tick's share of access control: drop audit entries past EDGEFAAS_AUDIT_RETENTION_DAYS and
 * rate-limit state that no longer limits anything (its arrival time has passed, so it means the same as
 * no state). Failures are logged and left for the next tick.
 */
import type { GatewayDeps } from '../deps.ts'

export async function pruneAccessRecords(deps: GatewayDeps): Promise<void> {
  const now = Date.now()
  try {
    await deps.store.pruneAuditEntries(new Date(now - deps.config.auditRetentionMs))
    await deps.access.limiter.prune(now * 1000)
  } catch (error) {
    deps.logger.warn('could not prune the audit log or rate-limit state', { error })
  }
}
