/**
 * @module
 * How a call's timeout is kept. Every synchronous call is bounded by its function's timeout, so every
 * call starts a timer and nearly every call cancels it. {@link perCallDeadlines} is a `setTimeout` per
 * call, right everywhere; {@link SharedDeadlines} keeps them for a long-lived process (Node) the way
 * the runtime's own timer lists do, minus the per-timer object, async-hooks resource and clock read of
 * each `setTimeout`: one FIFO list per timeout value (calls with the same timeout expire in the order
 * they started), each with at most one `setTimeout` armed for its oldest deadline. Starting and
 * cancelling is a link and an unlink; a deadline fires when its list's timer does, as late as a
 * `setTimeout` of the same length would.
 *
 * Not for Workers: there a timer belongs to the request that set it (it is cancelled when that request
 * ends, and may not touch another request's I/O), so one timer cannot serve several requests' calls.
 */

/** What a deadline calls when it passes. */
export interface Expiring {
  expire(): void
}

/** A started deadline. */
export interface Deadline {
  /** Stops it; nothing happens if it already fired. */
  cancel(): void
}

export interface Deadlines {
  /** Calls `target.expire()` once, `ms` from now, unless cancelled first. */
  after(ms: number, target: Expiring): Deadline
}

/** A `setTimeout` per deadline. */
export const perCallDeadlines: Deadlines = {
  after(ms, target) {
    const timer = setTimeout(() => target.expire(), ms)
    return { cancel: () => clearTimeout(timer) }
  },
}

/** One deadline, linked into its list until it fires or is cancelled. */
class Entry implements Deadline {
  prev: Entry | null = null
  next: Entry | null = null
  list: DeadlineList | null
  readonly at: number
  readonly target: Expiring

  constructor(list: DeadlineList, at: number, target: Expiring) {
    this.list = list
    this.at = at
    this.target = target
  }

  cancel(): void {
    this.list?.unlink(this)
  }
}

/** Deadlines of one timeout value, oldest first. */
class DeadlineList {
  head: Entry | null = null
  tail: Entry | null = null
  #timer: ReturnType<typeof setTimeout> | null = null
  /** True while expiring: a deadline started meanwhile is armed for by the sweep, not by `add`. */
  #sweeping = false
  readonly #sweep = () => this.sweep()
  readonly ms: number
  readonly #emptied: (list: DeadlineList) => void

  constructor(ms: number, emptied: (list: DeadlineList) => void) {
    this.ms = ms
    this.#emptied = emptied
  }

  add(target: Expiring, now: number): Entry {
    const entry = new Entry(this, now + this.ms, target)
    const tail = this.tail
    if (tail) {
      tail.next = entry
      entry.prev = tail
    } else {
      this.head = entry
    }
    this.tail = entry
    // A cancelled head leaves the timer armed for its time: it then rearms for whoever is oldest.
    if (this.#timer === null && !this.#sweeping) this.#arm(this.ms)
    return entry
  }

  unlink(entry: Entry): void {
    entry.list = null
    const { prev, next } = entry
    if (prev) prev.next = next
    else this.head = next
    if (next) next.prev = prev
    else this.tail = prev
    entry.prev = null
    entry.next = null
  }

  sweep(): void {
    this.#timer = null
    // A timer may run up to a millisecond early by the monotonic clock's reading: what is due within
    // that fires now rather than a millisecond later on a timer of its own.
    const now = performance.now() + 1
    this.#sweeping = true
    let entry = this.head
    while (entry && entry.at <= now) {
      this.unlink(entry)
      try {
        entry.target.expire()
      } catch {
        // An expiring call's own failure must not stop the others of the list from expiring.
      }
      entry = this.head
    }
    this.#sweeping = false
    if (entry) this.#arm(entry.at - now + 1)
    else this.#emptied(this)
  }

  #arm(ms: number): void {
    const timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(ms)))
    // The calls' own sockets keep the process alive; a pending deadline alone must not.
    ;(timer as { unref?: () => void }).unref?.()
    this.#timer = timer
  }
}

/** Deadlines grouped by timeout value, for a runtime whose timers outlive a request (Node, Deno). */
export class SharedDeadlines implements Deadlines {
  readonly #lists = new Map<number, DeadlineList>()
  readonly #emptied = (list: DeadlineList) => {
    if (!list.head) this.#lists.delete(list.ms)
  }

  after(ms: number, target: Expiring): Deadline {
    const whole = Math.max(1, Math.ceil(ms))
    let list = this.#lists.get(whole)
    if (!list) {
      list = new DeadlineList(whole, this.#emptied)
      this.#lists.set(whole, list)
    }
    return list.add(target, performance.now())
  }

  /** Timeout values with a list (tests: a list goes once its deadlines have). */
  get size(): number {
    return this.#lists.size
  }
}
