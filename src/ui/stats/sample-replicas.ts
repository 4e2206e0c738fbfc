/**
 * @module
 * The tick's replica sample for the dashboard's replica chart: desired replicas from the functions the
 * tick has read anyway, ready ones from the stored observations (one query, no backend round trip).
 */
import type { FunctionRecord, Store } from '../../store/types.ts'
import type { FunctionStats } from './function-stats.ts'

export async function sampleReplicas(
  store: Store,
  functions: readonly FunctionRecord[],
  stats: FunctionStats,
): Promise<void> {
  const rows = await store.listDeployments()
  // `backend/name.namespace`: only the backends a function is placed on count as ready.
  const ready = new Map<string, number>()
  for (const r of rows) ready.set(`${r.backend}/${r.functionName}.${r.namespace}`, r.availableReplicas)
  for (const f of functions) {
    const key = `${f.name}.${f.namespace}`
    const up = f.placement.reduce((sum, backend) => sum + (ready.get(`${backend}/${key}`) ?? 0), 0)
    stats.sampleReplicas(key, f.replicas * Math.max(1, f.placement.length), up)
  }
}
