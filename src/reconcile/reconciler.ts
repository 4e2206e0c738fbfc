/**
 * @module
 * Desired state (SQL) → actual state (backends). The API writes a new generation and calls
 * `reconcileFunction` inline with a deadline; the runtime calls `reconcileOnce` on a timer. Per function:
 *
 * - every placed backend gets the function (apply), each with the function's replica count;
 * - a backend that is no longer placed loses it, but only once one placed backend runs it at the current
 *   generation, so a move (apply on the new, then remove from the old) never leaves it nowhere;
 * - a failed apply is recorded on the deployment row with its error and retried with backoff, so a
 *   backend that is down never loses a deploy; when the backend answers again (its health, probed on
 *   the tick, turns reachable) the rest of the backoff is skipped and it catches up at once;
 * - drift (a backend that lost the function: restarted on an empty data folder, or its replicas
 *   changed behind our back) is found by asking the backend's status of every ready deployment, and
 *   re-applied.
 */
import type { DesiredFunction, Provider } from '../../providers/types.ts'
import type { Logger } from '../logger.ts'
import type { ProviderRegistry } from '../routing/registry.ts'
import { type SecretCipher, secretAssociatedData } from '../store/cipher.ts'
import type { DeploymentRecord, FunctionRecord, Store } from '../store/types.ts'
import { retryDelayMs } from './backoff.ts'
import { createKeyedLock } from './keyed-lock.ts'
import { reresolvePlacements } from './placements.ts'

export interface ReconcilerDeps {
  store: Store
  providers: ProviderRegistry
  cipher: SecretCipher | null
  logger: Logger
  now?: () => Date
  /** Identifies this gateway when taking the lease for shared backends. */
  instanceId: string
  /** Lease length for shared backends; renewed on every tick. */
  leaseTtlMs?: number
  /** Told when the tick moves a function (its selector's matches changed), e.g. to drop cached routes. */
  onPlacementChange?: (namespace: string, name: string) => void
}

export interface ReconcileSummary {
  applied: number
  failed: number
  removed: number
}

export interface Reconciler {
  /** Brings one function in line with its desired state now, ignoring retry backoff. */
  reconcileFunction(namespace: string, name: string): Promise<ReconcileSummary>
  /** As reconcileFunction, but returns after `timeoutMs` at the latest; the work goes on in the background. */
  reconcileWithin(namespace: string, name: string, timeoutMs: number): Promise<void>
  /** One pass over every function, honouring backoff; the body of the background loop. */
  reconcileOnce(): Promise<ReconcileSummary>
}

const LEASE_NAME = 'reconcile'

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { store, providers, logger } = deps
  const now = deps.now ?? (() => new Date())
  const lock = createKeyedLock()
  const empty = (): ReconcileSummary => ({ applied: 0, failed: 0, removed: 0 })

  async function resolveSecrets(fn: FunctionRecord): Promise<Record<string, Uint8Array>> {
    const names = fn.spec.secrets ?? []
    if (names.length === 0) return {}
    if (!deps.cipher)
      throw new Error('secrets are not available: no secrets key is configured (EDGEFAAS_SECRETS_KEY)')
    const out: Record<string, Uint8Array> = {}
    for (const secret of names) {
      const record = await store.getSecret(fn.namespace, secret)
      if (!record) throw new Error(`secret "${secret}" not found in namespace "${fn.namespace}"`)
      out[secret] = await deps.cipher.decrypt(record.ciphertext, secretAssociatedData(fn.namespace, secret))
    }
    return out
  }

  /** True when the backend answered again after the row's last failure: its backoff no longer applies. */
  function cameBack(backend: string, row: DeploymentRecord): boolean {
    const since = providers.health(backend).reachableSince
    return since !== null && since > row.updatedAt
  }

  /** Applies `fn` to one placed backend; true when the backend runs it at the current generation. */
  async function applyTo(
    fn: FunctionRecord,
    backend: string,
    row: DeploymentRecord | undefined,
    opts: { force: boolean; shared: boolean },
    summary: ReconcileSummary,
  ): Promise<boolean> {
    const key = { namespace: fn.namespace, functionName: fn.name, backend }
    const provider = providers.get(backend)
    const current = row !== undefined && row.appliedGeneration >= fn.generation && row.status === 'ready'
    if (!provider) {
      const reason = providers.has(backend)
        ? `backend "${backend}" is not reachable from this gateway`
        : `backend "${backend}" does not exist (any more); place the function on another backend`
      if (row?.status !== 'pending' || row.lastError !== reason)
        await store.upsertDeployment({ ...key, status: 'pending', lastError: reason })
      return false
    }
    if (provider.scope === 'shared' && !opts.shared) return current
    if (current && (await inSync(provider, fn, row))) return true
    if (!opts.force && row?.nextAttemptAt && row.nextAttemptAt > now() && !cameBack(backend, row))
      return false
    // A backend the last probe could not reach, whose failure is already on record, is not asked again
    // until it answers: a tick should not wait on every function of a dead backend in turn.
    if (!opts.force && row?.status === 'error' && providers.health(backend).reachable === false) return false
    try {
      const desired: DesiredFunction = {
        name: fn.name,
        namespace: fn.namespace,
        spec: fn.spec,
        replicas: fn.replicas,
        generation: fn.generation,
        secrets: await resolveSecrets(fn),
      }
      const observed = await provider.apply(desired)
      await store.upsertDeployment({
        ...key,
        status: 'ready',
        appliedGeneration: fn.generation,
        observedReplicas: observed.replicas,
        availableReplicas: observed.availableReplicas,
        lastError: null,
        attempts: 0,
        nextAttemptAt: null,
      })
      summary.applied++
      return true
    } catch (error) {
      const attempts = (row?.attempts ?? 0) + 1
      const message = error instanceof Error ? error.message : String(error)
      await store.upsertDeployment({
        ...key,
        status: 'error',
        lastError: message,
        attempts,
        nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts)),
      })
      summary.failed++
      logger.warn('apply failed; will retry', {
        function: `${fn.name}.${fn.namespace}`,
        backend,
        attempts,
        error: message,
      })
      return false
    }
  }

  /** True when the backend still runs the desired replica count; refreshes the recorded observation. */
  async function inSync(provider: Provider, fn: FunctionRecord, row: DeploymentRecord): Promise<boolean> {
    const observed = await provider.status(fn.namespace, fn.name).catch(() => null)
    if (!observed || observed.replicas !== fn.replicas) return false
    if (observed.availableReplicas !== row.availableReplicas || observed.replicas !== row.observedReplicas) {
      await store.upsertDeployment({
        namespace: fn.namespace,
        functionName: fn.name,
        backend: row.backend,
        observedReplicas: observed.replicas,
        availableReplicas: observed.availableReplicas,
      })
    }
    return true
  }

  async function removeFrom(
    row: DeploymentRecord,
    summary: ReconcileSummary,
    shared: boolean,
  ): Promise<boolean> {
    const provider = providers.get(row.backend)
    if (provider?.scope === 'shared' && !shared) return false
    if (!provider && providers.has(row.backend)) {
      // Known but not reachable from here (e.g. `local` seen from workerd): another gateway may remove it.
      const reason = `cannot remove: backend "${row.backend}" is not reachable from this gateway`
      if (row.status !== 'removing' || row.lastError !== reason)
        await store.upsertDeployment({
          namespace: row.namespace,
          functionName: row.functionName,
          backend: row.backend,
          status: 'removing',
          lastError: reason,
        })
      return false
    }
    if (!provider) {
      // The backend itself is gone: nothing is left to remove it from, only the record of it.
      logger.warn('dropping the deployment on a backend that no longer exists', {
        function: `${row.functionName}.${row.namespace}`,
        backend: row.backend,
      })
    }
    try {
      await provider?.remove(row.namespace, row.functionName)
      await store.deleteDeployment(row.namespace, row.functionName, row.backend)
      summary.removed++
      return true
    } catch (error) {
      const attempts = row.attempts + 1
      await store.upsertDeployment({
        namespace: row.namespace,
        functionName: row.functionName,
        backend: row.backend,
        status: 'removing',
        lastError: error instanceof Error ? error.message : String(error),
        attempts,
        nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts)),
      })
      summary.failed++
      return false
    }
  }

  async function reconcile(namespace: string, name: string, opts: { force: boolean; shared: boolean }) {
    return lock.run(`${namespace}/${name}`, async () => {
      const summary = empty()
      const [fn, rows] = await Promise.all([
        store.getFunction(namespace, name),
        store.listDeployments({ namespace, functionName: name }),
      ])
      // A backend added through another gateway moments ago: learn it before judging it unknown.
      const named = [...(fn?.placement ?? []), ...rows.map((r) => r.backend)]
      if (named.some((backend) => !providers.has(backend))) await providers.refresh()
      if (!fn) {
        let removedAll = true
        for (const row of rows) removedAll = (await removeFrom(row, summary, opts.shared)) && removedAll
        const tombstone = (await store.listDeletedFunctions()).find(
          (d) => d.namespace === namespace && d.name === name,
        )
        if (removedAll && tombstone) await store.purgeFunction(namespace, name, tombstone.generation)
        return summary
      }
      let placedSomewhere = false
      for (const backend of fn.placement) {
        const ready = await applyTo(
          fn,
          backend,
          rows.find((r) => r.backend === backend),
          opts,
          summary,
        )
        placedSomewhere ||= ready
      }
      // Apply on the new, then remove from the old: the function keeps running where it was until one
      // of its new backends runs it.
      if (placedSomewhere) {
        for (const row of rows) {
          if (!fn.placement.includes(row.backend)) await removeFrom(row, summary, opts.shared)
        }
      }
      return summary
    })
  }

  return {
    reconcileFunction: (namespace, name) => reconcile(namespace, name, { force: true, shared: true }),

    async reconcileWithin(namespace, name, timeoutMs) {
      const work = reconcile(namespace, name, { force: true, shared: true }).catch((error: unknown) => {
        logger.error('reconcile failed', { function: `${name}.${namespace}`, error })
      })
      let timer: ReturnType<typeof setTimeout> | undefined
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      })
      await Promise.race([work, deadline])
      clearTimeout(timer)
    },

    async reconcileOnce() {
      const total = empty()
      const hasShared = providers.entries().some(([, p]) => p.scope === 'shared')
      const shared = hasShared
        ? await store.tryAcquireLease(LEASE_NAME, deps.instanceId, deps.leaseTtlMs ?? 30_000, now())
        : true
      const [live, deleted, rows] = await Promise.all([
        store.listFunctions(),
        store.listDeletedFunctions(),
        store.listDeployments(),
      ])
      for (const moved of await reresolvePlacements(live, store, providers, logger)) {
        deps.onPlacementChange?.(moved.namespace, moved.name)
      }
      const keys = new Set<string>()
      for (const f of [...live, ...deleted]) keys.add(`${f.namespace}\u0000${f.name}`)
      for (const r of rows) keys.add(`${r.namespace}\u0000${r.functionName}`)
      for (const key of keys) {
        const [namespace = '', name = ''] = key.split('\u0000')
        try {
          const s = await reconcile(namespace, name, { force: false, shared })
          total.applied += s.applied
          total.failed += s.failed
          total.removed += s.removed
        } catch (error) {
          total.failed++
          logger.error('reconcile failed', { function: `${name}.${namespace}`, error })
        }
      }
      return total
    },
  }
}
