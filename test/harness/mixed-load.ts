/**
 * @module
 * Steady mixed load for chaos tests and the soak bench: closed-loop sync callers (`POST /function/<fn>`)
 * and async submitters (`POST /async-function/<fn>` with a callback URL), spread round-robin over the
 * gateways currently in `targets` (the test plays the load balancer: it takes a killed gateway out).
 * Every request is recorded with where it went, when it started and ended, and how it ended, so a test
 * can say exactly which calls failed and whether they were in flight on a gateway when it died.
 */
import { Agent, fetch as undiciFetch } from 'undici'

export interface Outcome {
  kind: 'sync' | 'async'
  target: string
  startedAt: number
  endedAt: number
  /** HTTP status, or 0 when no answer came (connection refused or cut). */
  status: number
  /** The answer's body (first 200 characters) when it was not a success, or the transport error. */
  detail: string
  /** Async: the X-Call-Id of an accepted (202) call. */
  callId?: string
}

export interface MixedLoadOptions {
  fn: string
  /** Gateways' base URLs; mutate with `setTargets` to take one out. */
  targets: string[]
  syncConcurrency: number
  asyncConcurrency: number
  /** Pause between one async caller's submissions (ms); 0: closed loop. */
  asyncPauseMs?: number
  callbackUrl: string
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number
}

export interface MixedLoad {
  outcomes: Outcome[]
  /** Accepted async call ids, in order. */
  accepted: string[]
  setTargets(targets: string[]): void
  /** Stops issuing; resolves once every request in flight has ended. */
  stop(): Promise<void>
}

export function startMixedLoad(options: MixedLoadOptions): MixedLoad {
  let targets = [...options.targets]
  let next = 0
  let running = true
  const outcomes: Outcome[] = []
  const accepted: string[] = []
  const timeoutMs = options.timeoutMs ?? 30_000
  // Its own pool, so the test's other requests never queue behind the load, and keep-alive like an LB.
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000 })
  const pick = () => targets[next++ % targets.length] ?? ''

  async function one(kind: 'sync' | 'async', seq: number): Promise<void> {
    const target = pick()
    const startedAt = Date.now()
    const path = kind === 'sync' ? `/function/${options.fn}` : `/async-function/${options.fn}`
    const headers: Record<string, string> = kind === 'async' ? { 'X-Callback-Url': options.callbackUrl } : {}
    let status = 0
    let detail = ''
    let callId: string | undefined
    try {
      const response = await undiciFetch(`${target}${path}`, {
        method: 'POST',
        headers,
        body: `${kind}-${seq}`,
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      })
      status = response.status
      const text = await response.text()
      if (status >= 300) detail = text.slice(0, 200)
      if (kind === 'async' && status === 202) callId = response.headers.get('x-call-id') ?? undefined
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      detail = cause?.code ?? cause?.message ?? (error as Error).message
    }
    if (callId) accepted.push(callId)
    outcomes.push({
      kind,
      target,
      startedAt,
      endedAt: Date.now(),
      status,
      detail,
      ...(callId ? { callId } : {}),
    })
  }

  const loops: Promise<void>[] = []
  let seq = 0
  for (let i = 0; i < options.syncConcurrency; i++) {
    loops.push(
      (async () => {
        while (running) await one('sync', seq++)
      })(),
    )
  }
  for (let i = 0; i < options.asyncConcurrency; i++) {
    loops.push(
      (async () => {
        while (running) {
          await one('async', seq++)
          if (options.asyncPauseMs) await new Promise((resolve) => setTimeout(resolve, options.asyncPauseMs))
        }
      })(),
    )
  }

  return {
    outcomes,
    accepted,
    setTargets(list) {
      targets = [...list]
    },
    async stop() {
      running = false
      await Promise.all(loops)
      await dispatcher.close()
    },
  }
}

/** The outcomes that ended in `[from, to)` and were not a success (2xx). */
export function failuresBetween(outcomes: Outcome[], from: number, to: number): Outcome[] {
  return outcomes.filter((o) => o.endedAt >= from && o.endedAt < to && (o.status < 200 || o.status >= 300))
}
