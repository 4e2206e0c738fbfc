/**
 * @module
 * Drives a background tick on Node: runs it now, then `intervalMs` after each run ends, so a slow tick
 * never overlaps the next. `stop()` waits for a running tick to finish.
 */
import type { Logger } from '../../logger.ts'

export interface Loop {
  stop(): Promise<void>
  /** Runs the tick now rather than at its time (or once more right after the running one). */
  kick(): void
}

export function startLoop(
  name: string,
  tick: () => Promise<unknown>,
  intervalMs: number,
  logger: Logger,
): Loop {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> = Promise.resolve()
  let busy = false
  let again = false
  const run = () => {
    busy = true
    again = false
    running = tick()
      .then(
        () => undefined,
        (error: unknown) => logger.error(`${name} tick failed`, { error }),
      )
      .finally(() => {
        busy = false
        if (!stopped) timer = setTimeout(run, again ? 0 : intervalMs)
      })
  }
  run()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
    kick() {
      if (stopped) return
      if (busy) {
        again = true
        return
      }
      clearTimeout(timer)
      run()
    },
  }
}
