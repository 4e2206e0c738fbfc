/**
 * @module
 * Small timing helpers of the message sources: keep a message held at its source while its calls are
 * recorded (`touch` every third of the hold time: SQS visibility, JetStream ack wait), sleep until
 * aborted, and limit how many deliveries run at once.
 */
export function keepHeld(holdMs: number, touch: () => Promise<unknown>, onError: (e: unknown) => void) {
  const timer = setInterval(() => touch().catch(onError), Math.max(200, Math.floor(holdMs / 3)))
  return () => clearInterval(timer)
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
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
