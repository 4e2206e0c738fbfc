/**
 * @module
 * Captured output of one function's replicas: a ring of the last lines per instance, with timestamps,
 * and live followers. Instances that were stopped keep their lines (for `faas-cli logs` after a crash)
 * until more than a few of them pile up.
 */
import type { LogMessage, LogRequest } from '../../src/contract/types.ts'

interface Line {
  seq: number
  time: Date
  instance: string
  text: string
}

const RETIRED_KEPT = 8

export class LogStore {
  readonly #name: string
  readonly #namespace: string
  readonly #perInstance: number
  readonly #rings = new Map<string, Line[]>()
  readonly #retired: string[] = []
  readonly #followers = new Set<(line: Line | null) => void>()
  #seq = 0
  #closed = false

  constructor(name: string, namespace: string, linesPerInstance: number) {
    this.#name = name
    this.#namespace = namespace
    this.#perInstance = Math.max(1, linesPerInstance)
  }

  push(instance: string, text: string): void {
    if (this.#closed) return
    const line: Line = { seq: ++this.#seq, time: new Date(), instance, text }
    let ring = this.#rings.get(instance)
    if (!ring) {
      ring = []
      this.#rings.set(instance, ring)
    }
    ring.push(line)
    if (ring.length > this.#perInstance) ring.shift()
    for (const follower of this.#followers) follower(line)
  }

  /** The instance has stopped for good; its lines stay until newer retired instances push them out. */
  retire(instance: string): void {
    if (!this.#rings.has(instance) || this.#retired.includes(instance)) return
    this.#retired.push(instance)
    while (this.#retired.length > RETIRED_KEPT) this.#rings.delete(this.#retired.shift() ?? '')
  }

  /** Ends every follower; the function is gone. */
  close(): void {
    this.#closed = true
    for (const follower of this.#followers) follower(null)
    this.#followers.clear()
  }

  #message(line: Line): LogMessage {
    const text = `${line.text}\n`
    return {
      name: this.#name,
      namespace: this.#namespace,
      instance: line.instance,
      timestamp: line.time.toISOString(),
      text,
    }
  }

  #matches(line: Line, request: LogRequest): boolean {
    if (request.instance && line.instance !== request.instance) return false
    return !request.since || line.time >= request.since
  }

  /** Stored lines matching `request` (oldest first, last `tail` of them), then new ones when following. */
  async *read(request: LogRequest, signal: AbortSignal): AsyncGenerator<LogMessage> {
    const queue: Array<Line | null> = []
    let wake: (() => void) | undefined
    const follower = (line: Line | null): void => {
      queue.push(line)
      wake?.()
    }
    const onAbort = (): void => follower(null)
    // Subscribe before taking the snapshot so no line falls in between; duplicates are skipped by seq.
    if (request.follow && !this.#closed) {
      this.#followers.add(follower)
      signal.addEventListener('abort', onAbort, { once: true })
    }
    try {
      let backlog = [...this.#rings.values()].flat().filter((line) => this.#matches(line, request))
      backlog.sort((a, b) => a.seq - b.seq)
      const tail = request.tail ?? 0
      if (tail > 0) backlog = backlog.slice(-tail)
      let lastSeq = 0
      for (const line of backlog) {
        lastSeq = line.seq
        yield this.#message(line)
      }
      if (!request.follow || this.#closed || signal.aborted) return
      for (;;) {
        const line = queue.shift()
        if (line === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
          continue
        }
        if (line === null) return
        if (line.seq > lastSeq && this.#matches(line, request)) yield this.#message(line)
      }
    } finally {
      this.#followers.delete(follower)
      signal.removeEventListener('abort', onAbort)
    }
  }
}
