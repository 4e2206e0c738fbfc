/**
 * @module
 * Loop state: where each background loop run by src/loops/runner.ts stands, so a pass cut short by its
 * time budget resumes where it stopped on the next tick, on whichever isolate or gateway takes it.
 */

export interface LoopStateRecord {
  /** Where the unfinished pass goes on; null when no pass is under way. */
  cursor: string | null
  /** When the last full pass finished; null before the first. */
  passDoneAt: Date | null
}

export interface LoopStateStore {
  /** The loop's state; `{ cursor: null, passDoneAt: null }` for a loop never run. */
  getLoopState(name: string): Promise<LoopStateRecord>
  saveLoopState(name: string, state: LoopStateRecord, at: Date): Promise<void>
}
