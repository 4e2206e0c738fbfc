/**
 * @module
 * Serialises work per key inside one process: the inline reconcile after a write and the background
 * tick must not apply the same function at the same time.
 */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve()
      const result = previous.then(work, work)
      const tail = result.catch(() => undefined)
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
  }
}
