/**
 * @module
 * Where the autoscaler reads load: a Prometheus-compatible store (prometheus-source.ts) or, with none
 * configured, the gateways' own counters (builtin-source.ts). The async backlog is not a source's
 * business: it is counted in the store, where every queue driver records its calls.
 */

/** One function's load over the window, summed over gateways (keys are `name.namespace`). */
export interface SourceLoad {
  rps: number
  okRps: number
  inflight: number
  /** Calls started within the window. */
  started: number
  /** Milli-CPU; null where nothing reports it. */
  cpu: number | null
}

export interface LoadSource {
  /** `prometheus` or `builtin`, for the history and the log. */
  readonly kind: string
  /**
   * The load of every function with any, by `name.namespace`; a function absent had none. Rejects (or
   * resolves null) when the figures cannot be trusted this tick: the autoscaler then holds.
   */
  read(): Promise<Map<string, SourceLoad> | null>
}
