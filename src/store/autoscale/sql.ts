/**
 * @module
 * The AutoscaleStore over SQL, for every dialect.
 */
import { and, count, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Dialect, Row } from '../dialect/types.ts'
import type { AutoscaleStore, LoadSample, ScalingDecisionRecord, ScalingState } from './types.ts'

function toSample(r: Row<'loadSamples'>): LoadSample {
  return {
    instance: r.instance,
    namespace: r.namespace,
    function: r.functionName,
    rps: r.rps,
    okRps: r.okRps,
    inflight: r.inflight,
    started: r.started,
    updatedAt: r.updatedAt,
  }
}

function toDecision(r: Row<'scalingDecisions'>): ScalingDecisionRecord {
  return {
    id: r.id,
    namespace: r.namespace,
    function: r.functionName,
    at: r.at,
    fromReplicas: r.fromReplicas,
    toReplicas: r.toReplicas,
    reason: r.reason,
    inputs: r.inputs,
  }
}

/**
 * A stored state as the policy expects it. Rows written before the idle clock (they kept
 * `lastActiveAt`, the last tick that saw activity) read with no clock: the next idle tick starts it,
 * which can only make a scale to zero later than the old rule, never earlier.
 */
function toState(stored: ScalingState): ScalingState {
  return {
    idleSince: typeof stored.idleSince === 'number' ? stored.idleSince : null,
    recommendations: Array.isArray(stored.recommendations) ? stored.recommendations : [],
    alertFiring: stored.alertFiring === true,
    alertStepAt: typeof stored.alertStepAt === 'number' ? stored.alertStepAt : 0,
  }
}

/** The AutoscaleStore over the dialect's database and tables; sql-store.ts composes it into the Store. */
export function autoscaleStore({
  db,
  tables: { loadSamples, scalingStates, scalingDecisions, calls },
}: Dialect): AutoscaleStore {
  return {
    async putLoadSamples(samples) {
      if (samples.length === 0) return
      await db
        .insert(loadSamples)
        .values(
          samples.map((s) => ({
            instance: s.instance,
            namespace: s.namespace,
            functionName: s.function,
            rps: s.rps,
            okRps: s.okRps,
            inflight: s.inflight,
            started: s.started,
            updatedAt: s.updatedAt,
          })),
        )
        .onConflictDoUpdate({
          target: [loadSamples.instance, loadSamples.namespace, loadSamples.functionName],
          set: {
            rps: sql`excluded.rps`,
            okRps: sql`excluded.ok_rps`,
            inflight: sql`excluded.inflight`,
            started: sql`excluded.started`,
            updatedAt: sql`excluded.updated_at`,
          },
        })
    },

    async listLoadSamples(since) {
      const rows = await db.select().from(loadSamples).where(gte(loadSamples.updatedAt, since))
      return rows.map(toSample)
    },

    async deleteLoadSamplesBefore(before) {
      await db.delete(loadSamples).where(lt(loadSamples.updatedAt, before))
    },

    async getScalingStates() {
      const rows = await db.select().from(scalingStates)
      return rows.map((r) => ({ namespace: r.namespace, function: r.functionName, state: toState(r.state) }))
    },

    async putScalingState(namespace, name, state) {
      await db
        .insert(scalingStates)
        .values({ namespace, functionName: name, state, updatedAt: new Date() })
        .onConflictDoUpdate({
          target: [scalingStates.namespace, scalingStates.functionName],
          set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` },
        })
    },

    async deleteScalingState(namespace, name) {
      await db
        .delete(scalingStates)
        .where(and(eq(scalingStates.namespace, namespace), eq(scalingStates.functionName, name)))
    },

    async addScalingDecision(d, keep) {
      await db.insert(scalingDecisions).values({
        id: d.id,
        namespace: d.namespace,
        functionName: d.function,
        at: d.at,
        fromReplicas: d.fromReplicas,
        toReplicas: d.toReplicas,
        reason: d.reason,
        inputs: d.inputs,
      })
      // Keep the newest `keep`: find the oldest one kept, drop what is older. Two statements, each
      // correct alone: a concurrent insert only makes the cut a little generous.
      const ofFunction = and(
        eq(scalingDecisions.namespace, d.namespace),
        eq(scalingDecisions.functionName, d.function),
      )
      const [oldestKept] = await db
        .select({ at: scalingDecisions.at })
        .from(scalingDecisions)
        .where(ofFunction)
        .orderBy(desc(scalingDecisions.at))
        .limit(1)
        .offset(Math.max(keep - 1, 0))
      if (oldestKept)
        await db.delete(scalingDecisions).where(and(ofFunction, lt(scalingDecisions.at, oldestKept.at)))
    },

    async listScalingDecisions(namespace, name, limit) {
      const rows = await db
        .select()
        .from(scalingDecisions)
        .where(and(eq(scalingDecisions.namespace, namespace), eq(scalingDecisions.functionName, name)))
        .orderBy(desc(scalingDecisions.at), desc(scalingDecisions.id))
        .limit(limit)
      return rows.map(toDecision)
    },

    async countBacklog() {
      const rows = await db
        .select({ namespace: calls.namespace, function: calls.functionName, count: count() })
        .from(calls)
        .where(inArray(calls.status, ['queued', 'running']))
        .groupBy(calls.namespace, calls.functionName)
      return rows.map((r) => ({ namespace: r.namespace, function: r.function, count: Number(r.count) }))
    },
  }
}
