/**
 * @module
 * How one call ends early — its function's timeout, or the caller leaving — without an `AbortController`
 * and its `EventTarget` per call. Node's native transport listens through {@link CallControl.onAbort}, a
 * plain callback list; an `AbortSignal` is made only when something asks for one (a provider's
 * `invoke`, the Web transport, the scale-from-zero wait), and is aborted with the same reason.
 */

/** What a sender watches to stop an attempt: an AbortSignal-like view without the EventTarget. */
export interface Cancellation {
  readonly aborted: boolean
  readonly reason: unknown
  /** Calls `listener` once when aborted (at once when already aborted); returns the unsubscribe. */
  onAbort(listener: (reason: unknown) => void): () => void
}

const noop = () => {}

export class CallControl implements Cancellation {
  #aborted = false
  #reason: unknown = undefined
  #listeners: Array<(reason: unknown) => void> | null = null
  #controller: AbortController | null = null

  get aborted(): boolean {
    return this.#aborted
  }

  get reason(): unknown {
    return this.#reason
  }

  /** An AbortSignal that follows this control, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
    const listeners = this.#listeners
    this.#listeners = null
    if (listeners) for (const listener of listeners) listener(reason)
  }

  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      listener(this.#reason)
      return noop
    }
    if (this.#listeners) this.#listeners.push(listener)
    else this.#listeners = [listener]
    return () => {
      const listeners = this.#listeners
      if (!listeners) return
      const at = listeners.indexOf(listener)
      if (at !== -1) listeners.splice(at, 1)
    }
  }
}

/** An AbortSignal as a Cancellation (for callers that hold a signal, e.g. the Web HttpClient). */
export function signalCancellation(signal: AbortSignal): Cancellation {
  return {
    get aborted() {
      return signal.aborted
    },
    get reason() {
      return signal.reason
    },
    onAbort(listener) {
      if (signal.aborted) {
        listener(signal.reason)
        return noop
      }
      const onAbort = () => listener(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      return () => signal.removeEventListener('abort', onAbort)
    },
  }
}
