/**
 * @module
 * What the autoscaler keeps in the store: each gateway's recent load per function (the built-in source,
 * summed over gateways sharing the store), the policy's state between ticks (so a new lease holder carries
 * on), the scaling history, and each function's async backlog read from the calls table.
 */

/** What the scaling policy remembers between ticks (src/autoscale/policy.ts). */
export interface ScalingState {
  /**
   * The idle clock: unix ms of the first tick that found the function idle after it was last seen
   * active (or first seen); null while it is active. Scale to zero counts `zero-duration` from here
   * (src/autoscale/policy.ts says why from here and not from the last active tick).
   */
  idleSince: number | null
  /** The down window's recommendations, `[unix ms, replicas]`, oldest first. */
  recommendations: Array<[number, number]>
  alertFiring: boolean
  /** Unix ms of the alert rule's last step up. */
  alertStepAt: number
}

/** The inputs of one decision, as the history and the log line show them. */
export interface ScalingInputs {
  /** `rps`, `capacity`, `queue`, `cpu`, `alert` (CE rule), `zero`, or `alertmanager` (/system/alert). */
  mode: string
  /** The load figure the rule used; null when none. */
  load: number | null
  /** The load per replica aimed at; null when none. */
  target: number | null
  ready: number
  min: number
  max: number
  /** Where the load came from: `prometheus`, `builtin`, `alertmanager`. */
  source: string
}

export interface ScalingDecisionRecord {
  id: string
  namespace: string
  function: string
  at: Date
  fromReplicas: number
  toReplicas: number
  reason: string
  inputs: ScalingInputs
}

/** One gateway's load of one function over the last window. */
export interface LoadSample {
  instance: string
  namespace: string
  function: string
  rps: number
  okRps: number
  inflight: number
  /** Calls started within the window. */
  started: number
  updatedAt: Date
}

export interface AutoscaleStore {
  /** Upserts this gateway's samples (one row per gateway and function). */
  putLoadSamples(samples: LoadSample[]): Promise<void>
  /** Every gateway's samples updated at or after `since`. */
  listLoadSamples(since: Date): Promise<LoadSample[]>
  /** Drops samples not updated since `before` (gateways gone, functions idle). */
  deleteLoadSamplesBefore(before: Date): Promise<void>
  getScalingStates(): Promise<Array<{ namespace: string; function: string; state: ScalingState }>>
  putScalingState(namespace: string, name: string, state: ScalingState): Promise<void>
  deleteScalingState(namespace: string, name: string): Promise<void>
  /** Records a decision and keeps only the `keep` newest of that function. */
  addScalingDecision(decision: ScalingDecisionRecord, keep: number): Promise<void>
  /** Newest first. */
  listScalingDecisions(namespace: string, name: string, limit: number): Promise<ScalingDecisionRecord[]>
  /** Async calls `queued` or `running`, per function (functions with none are absent). */
  countBacklog(): Promise<Array<{ namespace: string; function: string; count: number }>>
}
