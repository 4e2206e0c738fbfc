/**
 * @module
 * A request body that can be sent again from its start: each attempt gets its own stream, which
 * replays what earlier attempts read and then goes on reading the caller's body. What is read is kept
 * up to `limit` bytes; a body that grows past it streams on without being kept, and from then on it
 * cannot be replayed (the call is not resent). Nothing is read ahead: the first attempt streams as
 * the caller sends, and a call that never fails costs only the copy kept of a body within the limit.
 *
 * The caller's body is a Web stream or any async iterator of chunks (Node's `IncomingMessage`); an
 * attempt reads it as a Web stream ({@link stream}) or as an async iterable ({@link iterable}).
 */
type ChunkSource = { read(): Promise<{ done?: boolean | undefined; value?: Uint8Array | undefined }> }

export class ResendableBody {
  readonly #reader: ChunkSource
  readonly #limit: number
  readonly #chunks: Uint8Array[] = []
  #kept = 0
  #done = false
  #overflowed = false
  #failure: { error: unknown } | null = null
  /** A chunk read past the limit, not kept, waiting for the current attempt to take it. */
  #spilled: Uint8Array | null = null
  /** The read in progress: attempts never read the caller's body concurrently. */
  #reading: Promise<void> | null = null
  /** Only the newest attempt reads on; an earlier one is abandoned by its transport. */
  #newest = 0

  constructor(source: ReadableStream<Uint8Array> | AsyncIterator<Uint8Array>, limit: number) {
    if (source instanceof ReadableStream) this.#reader = source.getReader()
    else this.#reader = { read: () => source.next() }
    this.#limit = limit
  }

  /** Whether a new attempt can be given the whole body: false once more than the limit was read. */
  get replayable(): boolean {
    return !this.#overflowed
  }

  /** The body from its start, for one attempt. Cancelling it leaves the caller's body for the next one. */
  stream(): ReadableStream<Uint8Array> {
    const attempt = ++this.#newest
    let index = 0
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          for (;;) {
            if (attempt !== this.#newest)
              return controller.error(new Error('the body was sent again elsewhere'))
            if (index < this.#chunks.length) return controller.enqueue(this.#chunks[index++]!)
            if (this.#spilled) {
              const chunk = this.#spilled
              this.#spilled = null
              return controller.enqueue(chunk)
            }
            if (this.#failure) return controller.error(this.#failure.error)
            if (this.#done) return controller.close()
            await this.#read()
          }
        },
      },
      { highWaterMark: 0 },
    )
  }

  /** The body from its start as an async iterable, for one attempt (the same rules as {@link stream}). */
  iterable(): AsyncIterable<Uint8Array> {
    const attempt = ++this.#newest
    const self = this
    return {
      async *[Symbol.asyncIterator]() {
        let index = 0
        for (;;) {
          if (attempt !== self.#newest) throw new Error('the body was sent again elsewhere')
          if (index < self.#chunks.length) {
            yield self.#chunks[index++]!
            continue
          }
          if (self.#spilled) {
            const chunk = self.#spilled
            self.#spilled = null
            yield chunk
            continue
          }
          if (self.#failure) throw self.#failure.error
          if (self.#done) return
          await self.#read()
        }
      },
    }
  }

  /** Reads one chunk of the caller's body: kept while within the limit, else handed on once. */
  #read(): Promise<void> {
    this.#reading ??= this.#reader.read().then(
      ({ done, value }) => {
        this.#reading = null
        if (done || value === undefined) this.#done = true
        else if (!this.#overflowed && this.#kept + value.byteLength <= this.#limit) {
          this.#chunks.push(value)
          this.#kept += value.byteLength
        } else {
          this.#overflowed = true
          this.#spilled = value
        }
      },
      (error: unknown) => {
        this.#reading = null
        this.#failure = { error }
      },
    )
    return this.#reading
  }
}
