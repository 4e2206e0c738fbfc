/**
 * @module
 * The async worker: takes calls from the queue and runs each through the gateway's own invocation path
 * (so metrics and scale from zero apply), retries on the function's retry policy with backoff, posts the
 * callback, and moves exhausted calls to the dead-letter list. Leases are extended while a function runs,
 * so a long call is not redelivered; a crashed worker's calls come back when their lease ends.
 *
 * `drainOnce` is the tick (Workers' queue handler, tests); `start`/`stop` drive it as a loop on Node.
 */

import type { Invoke } from '../invoke/proxy.ts'
import type { Logger } from '../logger.ts'
import { functionLabel } from '../metrics/types.ts'
import type { RouteCache } from '../routing/route-cache.ts'
import type { CallStatus, Store } from '../store/types.ts'
import { type CallbackSender, deliverCallback } from './callbacks.ts'
import { type InvokeQueued, type QueuedAnswer, webQueuedInvoke } from './queued-invoke.ts'
import { type RetryPolicy, retryDelayMs, retryPolicyFor } from './retry-policy.ts'
import type { QueueDriver, QueueMessage } from './types.ts'

export interface QueueMetrics {
  processed(queue: string, outcome: 'succeeded' | 'failed' | 'dead' | 'retried' | 'cancelled'): void
  inflight(queue: string, functionName: string, delta: number): void
  /** Calls queued, delayed or running in `queue`, as the driver counts them. */
  setPending?(queue: string, depth: number): void
}

export interface WorkerOptions {
  queue: QueueDriver
  store: Store
  invoke: Invoke
  /** How a queued call is invoked; default through `invoke` (the Web transport). */
  invokeQueued?: InvokeQueued
  routes: RouteCache
  sendCallback: CallbackSender
  logger: Logger
  metrics?: QueueMetrics
  retryDefaults: RetryPolicy
  /** Names of the queues to take calls from. */
  queues: () => Promise<string[]>
  maxInflight: number
  maxInflightPerFunction: number
  leaseMs: number
  callbackAttempts: number
  callbackBaseDelayMs?: number
  userAgent: string
}

export interface AsyncWorker {
  /** Receives once from every queue (up to the free in-flight slots) and runs what it got to the end. */
  drainOnce(): Promise<number>
  /** Runs until `stop`. */
  start(): void
  /** Stops taking calls, waits up to `deadlineMs` for running ones, then releases the rest to the queue. */
  stop(deadlineMs: number): Promise<{ finished: number; released: number }>
}

export function createAsyncWorker(o: WorkerOptions): AsyncWorker {
  const running = new Map<QueueMessage, Promise<void>>()
  const perFunction = new Map<string, number>()
  const waiters = new Map<string, Array<() => void>>()
  const stopping = new AbortController()
  let loop: Promise<void> | undefined
  const invokeQueued = o.invokeQueued ?? webQueuedInvoke(o.invoke)

  async function acquire(fn: string): Promise<void> {
    while ((perFunction.get(fn) ?? 0) >= o.maxInflightPerFunction) {
      await new Promise<void>((resolve) => waiters.set(fn, [...(waiters.get(fn) ?? []), resolve]))
    }
    perFunction.set(fn, (perFunction.get(fn) ?? 0) + 1)
  }
  function release(fn: string): void {
    perFunction.set(fn, (perFunction.get(fn) ?? 1) - 1)
    waiters.get(fn)?.shift()?.()
  }

  // Leases are kept by one sweep over the running calls rather than a timer per call: every
  // `extendEveryMs` it extends each lease taken or extended at least `extendEveryMs` ago, so a lease is
  // extended at most 2 × leaseMs / 3 after it was taken, before it ends.
  const extendEveryMs = Math.max(50, Math.floor(o.leaseMs / 3))
  const leasedAt = new Map<QueueMessage, number>()
  let sweeper: ReturnType<typeof setInterval> | undefined
  function keepLeases(): void {
    const now = Date.now()
    for (const [message, at] of leasedAt) {
      if (now - at < extendEveryMs) continue
      leasedAt.set(message, now)
      o.queue
        .extend(message, o.leaseMs)
        .catch((error: unknown) =>
          o.logger.warn('lease extension failed', { call: message.record.id, error }),
        )
    }
  }
  function holdLease(message: QueueMessage): void {
    leasedAt.set(message, Date.now())
    sweeper ??= setInterval(keepLeases, extendEveryMs)
  }
  function dropLease(message: QueueMessage): void {
    leasedAt.delete(message)
    if (leasedAt.size === 0 && sweeper !== undefined) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }

  /**
   * Claims a received batch in one store call (`claimCalls`): each call becomes `running` unless it was
   * cancelled, already finished by an earlier delivery, or is unknown; those are acked without running.
   */
  function claim(messages: QueueMessage[]): Promise<Set<string>> {
    return o.store.claimCalls(messages.map((m) => ({ id: m.record.id, attempts: m.deliveryCount })))
  }

  async function handle(message: QueueMessage, claimed: Promise<Set<string>>): Promise<void> {
    const record = message.record
    const fnLabel = functionLabel(record.function, record.namespace)
    if (!(await claimed).has(record.id)) {
      // Cancelled, already finished by an earlier delivery, or unknown: nothing to run.
      await o.queue.ack(message)
      o.metrics?.processed(record.queue, 'cancelled')
      return
    }
    await acquire(fnLabel)
    o.metrics?.inflight(record.queue, fnLabel, 1)
    try {
      await run(message, fnLabel)
    } finally {
      o.metrics?.inflight(record.queue, fnLabel, -1)
      release(fnLabel)
    }
  }

  async function run(message: QueueMessage, fnLabel: string): Promise<void> {
    const record = message.record
    const fn = await o.routes.get(record.namespace, record.function)
    const policyOrError = retryPolicyFor(o.retryDefaults, fn?.spec.annotations)
    const policy = typeof policyOrError === 'string' ? o.retryDefaults : policyOrError
    const started = Date.now()
    let answer: QueuedAnswer | null = null
    let error: string | null = null
    try {
      answer = await invokeQueued(record, fnLabel)
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    // A call that never got an answer counts as 503, as in the OpenFaaS queue worker.
    const status = answer?.status ?? 503
    const body = answer?.body ?? new Uint8Array()
    if (status >= 400 && !error) error = `function answered ${status}`
    const retries = message.deliveryCount - 1
    // The path's own failures (X-OpenFaaS-Internal) are retried as the OpenFaaS Pro queue-worker does,
    // except the gateway's 404: a function that is not there will not be by retrying.
    const internal = answer?.internal === true && status !== 404
    const retryable = policy.codes.has(status) || internal

    if (retryable && retries < policy.attempts) {
      const delay = retryDelayMs(retries + 1, policy, answer?.headers.get('retry-after') ?? null, status)
      await o.store.updateCall(record.id, { status: 'queued', lastStatus: status, lastError: error })
      await o.queue.retry(message, delay)
      o.metrics?.processed(record.queue, 'retried')
      return
    }

    let outcome: CallStatus = status < 400 ? 'succeeded' : retryable ? 'dead' : 'failed'
    if (record.callbackUrl) {
      const startHeader = record.headers.find(([name]) => name === 'x-start-time')?.[1] ?? null
      const failure = await deliverCallback(
        o.sendCallback,
        {
          url: record.callbackUrl,
          callId: record.id,
          functionName: fnLabel,
          functionStatus: status,
          responseHeaders: answer?.headers ?? null,
          body,
          durationSeconds: (Date.now() - started) / 1000,
          startTime: startHeader,
          retry: retries,
          retryMax: policy.attempts,
          userAgent: o.userAgent,
        },
        o.callbackAttempts,
        o.callbackBaseDelayMs ?? 500,
      )
      if (failure) {
        outcome = 'dead'
        error = failure
      }
    }
    if (outcome === 'dead') {
      await o.store.addDeadLetter({
        record,
        lastStatus: status,
        lastError: error,
        attempts: message.deliveryCount,
      })
    }
    await o.store.finishCall(record.id, {
      status: outcome,
      lastStatus: status,
      lastError: outcome === 'succeeded' ? null : error,
    })
    await o.queue.ack(message)
    o.metrics?.processed(
      record.queue,
      outcome === 'succeeded' ? 'succeeded' : outcome === 'dead' ? 'dead' : 'failed',
    )
  }

  // The full loop waits here for a free slot, then lets one turn of the event loop pass so the calls
  // finishing together free their slots together: the next receive then leases them in one statement
  // instead of one lease per finished call. (Racing every running promise each time did neither.)
  let freed: (() => void) | undefined
  function slotFreed(): Promise<void> {
    return new Promise<void>((resolve) => {
      freed = () => {
        freed = undefined
        setTimeout(resolve, 0)
      }
    })
  }

  /** Runs a received batch: one claim for all, then each call on its own. */
  function track(messages: QueueMessage[]): Promise<void>[] {
    if (messages.length === 0) return []
    for (const message of messages) holdLease(message)
    const claimed = claim(messages)
    // Each call handles a failed claim itself (below); this keeps the rejection from going unhandled.
    claimed.catch(() => undefined)
    return messages.map((message) => {
      const work = handle(message, claimed)
        .catch((error: unknown) => {
          // The message stays leased and comes back after the lease: nothing is lost.
          o.logger.error('async call failed inside the worker; it will be redelivered', {
            call: message.record.id,
            error,
          })
        })
        .finally(() => {
          dropLease(message)
          running.delete(message)
          freed?.()
        })
      running.set(message, work)
      return work
    })
  }

  async function receiveFrom(queue: string, waitMs: number): Promise<QueueMessage[]> {
    const free = o.maxInflight - running.size
    if (free <= 0) return []
    return o.queue.receive(queue, { max: free, leaseMs: o.leaseMs, waitMs, signal: stopping.signal })
  }

  return {
    async drainOnce() {
      let count = 0
      for (const queue of await o.queues()) {
        const messages = await receiveFrom(queue, 0)
        count += messages.length
        await Promise.all(track(messages))
      }
      return count
    },

    start() {
      loop ??= (async () => {
        while (!stopping.signal.aborted) {
          try {
            const queues = await o.queues()
            const waitMs = queues.length > 1 ? 100 : 1000
            let got = 0
            for (const queue of queues) {
              if (stopping.signal.aborted) break
              const messages = await receiveFrom(queue, waitMs)
              got += messages.length
              track(messages)
            }
            if (running.size >= o.maxInflight) await slotFreed()
            else if (got === 0 && queues.length === 0)
              await new Promise((resolve) => setTimeout(resolve, 200))
          } catch (error) {
            if (stopping.signal.aborted) break
            o.logger.error('queue receive failed; retrying', { error })
            await new Promise((resolve) => setTimeout(resolve, 1000))
          }
        }
      })()
    },

    async stop(deadlineMs) {
      stopping.abort()
      await loop
      const inFlight = [...running.entries()]
      let timer: ReturnType<typeof setTimeout> | undefined
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = setTimeout(() => resolve('deadline'), deadlineMs)
      })
      await Promise.race([Promise.all(inFlight.map(([, p]) => p)), deadline])
      clearTimeout(timer)
      let released = 0
      for (const [message] of running) {
        dropLease(message)
        await o.queue.retry(message, 0).catch(() => undefined)
        released++
      }
      return { finished: inFlight.length - released, released }
    },
  }
}
