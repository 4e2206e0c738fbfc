/**
 * @module
 * Small timing helpers of the message sources: keep a message held at its source while its calls are
 * recorded (`touch` every third of the hold time: SQS visibility, JetStream ack wait), and limit how
 * many deliveries run at once. (Sleeping until aborted is queue/sleep.ts's `sleep`.)
 */
export function keepHeld(holdMs: number, touch: () => Promise<unknown>, onError: (e: unknown) => void) {
  const timer = setInterval(() => touch().catch(onError), Math.max(200, Math.floor(holdMs / 3)))
  return () => clearInterval(timer)
}

/** Runs at most `max` tasks at once; the rest wait in order. */
export function createLimiter(max: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await task()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}
