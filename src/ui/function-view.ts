/**
 * @module
 * One function as the dashboard shows it: desired and ready replicas from the stored observations (no
 * backend round trip, so a list of hundreds renders fast), this gateway's rate, error ratio and p95 over
 * the last minutes, and a health verdict that a function answering 500 to every call cannot pass.
 */
import type { DeploymentRecord, FunctionRecord } from '../store/types.ts'
import type { FunctionStats, FunctionSummary } from './stats/function-stats.ts'

/** The window of the list's rate, error ratio and p95. */
export const SUMMARY_WINDOW_MS = 5 * 60_000

export type HealthKind = 'ok' | 'warn' | 'bad' | 'idle'

export interface FunctionView {
  fn: FunctionRecord
  desired: number
  ready: number
  /** Null where this runtime keeps no time series. */
  stats: FunctionSummary | null
  health: { kind: HealthKind; label: string }
  lastError: string | null
  deployments: DeploymentRecord[]
}

export function viewFunction(
  fn: FunctionRecord,
  rows: readonly DeploymentRecord[],
  stats: FunctionStats | null,
): FunctionView {
  const deployments = rows.filter((r) => r.functionName === fn.name && r.namespace === fn.namespace)
  const placed = deployments.filter((r) => fn.placement.includes(r.backend))
  const ready = placed.reduce((sum, r) => sum + r.availableReplicas, 0)
  // As /system/functions reports it: each placed backend runs `replicas`.
  const desired = fn.replicas * Math.max(1, fn.placement.length)
  const summary = stats ? stats.summary(`${fn.name}.${fn.namespace}`, SUMMARY_WINDOW_MS) : null
  const failed = placed.find((r) => r.status === 'error')
  const deployError = placed.find((r) => r.lastError)?.lastError ?? null
  const lastError =
    deployError ??
    (summary?.lastErrorCode != null && summary.lastErrorAt
      ? `HTTP ${summary.lastErrorCode} at ${summary.lastErrorAt.toISOString().replace(/\.\d+Z$/, 'Z')}`
      : null)
  return {
    fn,
    desired,
    ready,
    stats: summary,
    health: health(desired, ready, summary, failed),
    lastError,
    deployments,
  }
}

function health(
  desired: number,
  ready: number,
  s: FunctionSummary | null,
  failed: DeploymentRecord | undefined,
): FunctionView['health'] {
  if (failed) return { kind: 'bad', label: 'deploy failed' }
  const ratio = s?.errorRatio ?? 0
  if (s && s.calls > 0 && ratio >= 0.5) return { kind: 'bad', label: 'failing' }
  if (s && s.calls > 0 && ratio > 0.05) return { kind: 'warn', label: 'errors' }
  if (s?.lastCallFailed) return { kind: 'warn', label: 'last call failed' }
  if (desired === 0) return { kind: 'idle', label: 'scaled to zero' }
  if (ready === 0) return { kind: 'warn', label: 'not ready' }
  if (ready < desired) return { kind: 'warn', label: 'starting' }
  return { kind: 'ok', label: 'healthy' }
}

export function formatRate(rps: number | undefined): string {
  if (rps === undefined) return '—'
  if (rps === 0) return '0'
  return rps < 0.1 ? rps.toFixed(3) : rps < 10 ? rps.toFixed(2) : rps.toFixed(0)
}

export function formatRatio(ratio: number | null | undefined): string {
  if (ratio == null) return '—'
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%`
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null) return '—'
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`
}
