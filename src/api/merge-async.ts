/**
 * @module
 * Interleaves several async iterables into one, yielding each value as soon as any source produces it
 * (log streams from several backends). Returning early closes every source.
 */
export async function* mergeAsync<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  if (sources.length === 1 && sources[0]) {
    yield* sources[0]
    return
  }
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>()
  const pull = (index: number) => {
    const it = iterators[index]
    if (it)
      pending.set(
        index,
        it.next().then((result) => ({ index, result })),
      )
  }
  iterators.forEach((_, i) => {
    pull(i)
  })
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values())
      if (result.done) {
        pending.delete(index)
        continue
      }
      pull(index)
      yield result.value
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()))
  }
}
