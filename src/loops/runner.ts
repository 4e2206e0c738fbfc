/**
 * @module
 * The loop runner: background loops as bounded, resumable steps under a lease, for runtimes that get
 * short invocations instead of a process (Workers' cron trigger), and usable by any runtime.
 *
 * A loop is a `step(cursor)` that does a small batch of work and returns where to go on, or null when its
 * pass is complete. `runLoops` takes a time budget: for each loop that is due (its last pass finished at
 * least `everyMs` ago, or a pass is under way), it takes the loop's lease in the store, runs steps until
 * the pass completes or the budget is spent, and saves the cursor after every step. A pass cut short goes
 * on from its cursor at the next tick, on whichever isolate gets the lease. The budget is checked between
 * steps, so a step must stay small (a few hundred milliseconds of work): that is what keeps an invocation
 * under the Worker's CPU limit.
 *
 * Plugging a loop in: implement `Loop` (name, everyMs, step) in your own folder and add it to the list
 * the runtime hands to `runLoops` (src/runtime/workers/cron.ts for Workers). docs/workers.md has the rules.
 */
import type { Logger } from '../logger.ts'
import type { LeaseStore, LoopStateStore } from '../store/types.ts'

export interface LoopStepContext {
  /** When the budget ends; a step that loops internally stops starting work after it. */
  deadline: number
  now: Date
}

export interface Loop {
  /** Unique, stable: names the lease (`loop:<name>`) and the saved state. */
  name: string
  /** Least time between the end of one pass and the start of the next. */
  everyMs: number
  /** One small batch from `cursor` (null: start of a pass); returns the next cursor, or null when done. */
  step(cursor: string | null, context: LoopStepContext): Promise<string | null>
}

export interface LoopReport {
  name: string
  outcome: 'completed' | 'paused' | 'not-due' | 'held-elsewhere' | 'failed' | 'out-of-budget'
  steps: number
}

export interface RunLoopsOptions {
  store: LeaseStore & LoopStateStore
  loops: readonly Loop[]
  /** Who takes the leases (one per isolate or gateway). */
  holder: string
  budgetMs: number
  logger: Logger
  now?: () => number
}

/** A lease outlives the budget by this much, so a step that overruns a little is not taken over. */
const LEASE_MARGIN_MS = 30_000

export async function runLoops(o: RunLoopsOptions): Promise<LoopReport[]> {
  const now = o.now ?? Date.now
  const deadline = now() + o.budgetMs
  const reports: LoopReport[] = []
  for (const loop of o.loops) {
    if (now() >= deadline) {
      reports.push({ name: loop.name, outcome: 'out-of-budget', steps: 0 })
      continue
    }
    reports.push(await runLoop(loop, deadline, o, now))
  }
  return reports
}

async function runLoop(
  loop: Loop,
  deadline: number,
  o: RunLoopsOptions,
  now: () => number,
): Promise<LoopReport> {
  const report = (outcome: LoopReport['outcome'], steps: number): LoopReport => ({
    name: loop.name,
    outcome,
    steps,
  })
  const state = await o.store.getLoopState(loop.name)
  if (state.cursor === null && state.passDoneAt && now() - state.passDoneAt.getTime() < loop.everyMs) {
    return report('not-due', 0)
  }
  const lease = `loop:${loop.name}`
  const ttl = deadline - now() + LEASE_MARGIN_MS
  if (!(await o.store.tryAcquireLease(lease, o.holder, ttl, new Date(now())))) {
    return report('held-elsewhere', 0)
  }
  let steps = 0
  try {
    // Read again under the lease: another holder may have moved the cursor since.
    let { cursor } = await o.store.getLoopState(loop.name)
    let { passDoneAt } = state
    while (now() < deadline) {
      const next = await loop.step(cursor, { deadline, now: new Date(now()) })
      steps++
      cursor = next
      if (next === null) passDoneAt = new Date(now())
      await o.store.saveLoopState(loop.name, { cursor, passDoneAt }, new Date(now()))
      if (next === null) return report('completed', steps)
    }
    return report('paused', steps)
  } catch (error) {
    // The cursor stays at the last finished step: the next tick retries from there.
    o.logger.error('background loop step failed', { loop: loop.name, error })
    return report('failed', steps)
  } finally {
    await o.store.releaseLease(lease, o.holder).catch(() => undefined)
  }
}
