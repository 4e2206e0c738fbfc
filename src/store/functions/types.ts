/**
 * @module
 * Functions as desired state. A deleted function is tombstoned, not removed, until the reconciler has
 * removed it from every backend; the generation counts every change so the reconciler can tell a stale
 * view from a current one.
 */
import type { FunctionDeployment } from '../../contract/types.ts'

/** What a function should be; the `spec` is the deploy request as accepted (service and namespace removed). */
export type FunctionSpec = Omit<FunctionDeployment, 'service' | 'namespace'>

export interface FunctionRecord {
  namespace: string
  name: string
  spec: FunctionSpec
  /** Desired replicas on each backend of the function's placement. */
  replicas: number
  /** Backend names the function is placed on, in order of preference. */
  placement: string[]
  /**
   * Increments on every change of desired state (spec, replicas, placement, deletion), except a
   * placement re-resolved from a label selector (`setPlacement`).
   */
  generation: number
  createdAt: Date
  updatedAt: Date
}

export interface NewFunction {
  namespace: string
  name: string
  spec: FunctionSpec
  replicas: number
  placement: string[]
}

export interface FunctionUpdate {
  namespace: string
  name: string
  spec: FunctionSpec
  placement: string[]
  /** Omitted: keep the current desired replicas. */
  replicas?: number
}

export interface FunctionStore {
  listFunctions(namespace?: string): Promise<FunctionRecord[]>
  countFunctions(namespace: string): Promise<number>
  getFunction(namespace: string, name: string): Promise<FunctionRecord | null>
  /** Returns null when a live function of that name exists. A tombstoned one is revived. */
  createFunction(fn: NewFunction): Promise<FunctionRecord | null>
  /** Returns null when no live function of that name exists. Bumps the generation. */
  updateFunction(fn: FunctionUpdate): Promise<FunctionRecord | null>
  /** Returns null when no live function of that name exists. Bumps the generation. */
  setReplicas(namespace: string, name: string, replicas: number): Promise<FunctionRecord | null>
  /**
   * Moves a live function still at `generation` to `placement` without bumping the generation: for a
   * label selector whose matches changed, where the function itself did not, so the backends it stays
   * on need no new apply. False when the function changed or went meanwhile.
   */
  setPlacement(namespace: string, name: string, placement: string[], generation: number): Promise<boolean>
  /** Tombstones the function and bumps the generation; returns false when it does not exist. */
  markFunctionDeleted(namespace: string, name: string): Promise<boolean>
  /** Tombstoned functions, for the reconciler. */
  listDeletedFunctions(): Promise<Array<{ namespace: string; name: string; generation: number }>>
  /** Removes a tombstone for good, only if it is still a tombstone at `generation`. */
  purgeFunction(namespace: string, name: string, generation: number): Promise<void>
}
