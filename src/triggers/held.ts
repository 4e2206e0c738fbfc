/**
 * @module
 * Keeps a message held at its source while its calls are recorded: `touch` every third of the hold time
 * (SQS visibility, JetStream ack wait) until the returned stop function is called.
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
