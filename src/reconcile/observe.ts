/**
 * @module
 * What the API reports about a function's replicas: `replicas` is the desired count (so a deploy with
 * `com.openfaas.scale.min=2` shows 2 at once, as faas-netes does), `availableReplicas` is summed over the
 * function's backends, asked live with a short deadline and falling back to the last recorded observation.
 */
import type { ProviderRegistry } from '../routing/registry.ts'
import type { DeploymentRecord, FunctionRecord } from '../store/types.ts'

const LIVE_STATUS_TIMEOUT_MS = 1000

export async function availableReplicas(
  fn: FunctionRecord,
  rows: DeploymentRecord[],
  providers: ProviderRegistry,
): Promise<number> {
  const counts = await Promise.all(
    fn.placement.map(async (backend) => {
      const recorded = rows.find((r) => r.backend === backend)?.availableReplicas ?? 0
      const provider = providers.get(backend)
      if (!provider) return recorded
      const live = await withTimeout(provider.status(fn.namespace, fn.name), LIVE_STATUS_TIMEOUT_MS).catch(
        () => undefined,
      )
      if (live === undefined) return recorded
      return live?.availableReplicas ?? 0
    }),
  )
  return counts.reduce((a, b) => a + b, 0)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
