/**
 * @module
 * The trigger framework of one gateway: reads which functions subscribe to which topics (from the
 * store, every `syncIntervalMs`, so a deploy through any gateway is wired with no other step), hands
 * each running source its subscriptions, gives the sources the one delivery step (deliver.ts), and keeps
 * the per-subscription status and metrics. `start()` drives it on a timer (Node, Deno); Workers call
 * `sync()` and `runDue()` from `scheduled()`.
 *
 * Message sources (SQS, NATS) consume on every gateway, as competing consumers the source itself
 * shards; the cron source runs under a lease and claims each instant in the store (cron/source.ts).
 */
import type { Logger } from '../logger.ts'
import { functionLabel } from '../metrics/types.ts'
import type { QueueDriver } from '../queue/types.ts'
import type { Store } from '../store/types.ts'
import { deliverEvent } from './deliver.ts'
import { createStatusBook, type SubscriptionStatus } from './status.ts'
import { subscriptionsOf } from './topics.ts'
import type { Subscription, TriggerContext, TriggerMetrics, TriggerSource } from './types.ts'

export interface TriggerView extends SubscriptionStatus {
  /** False when the topic's source is not configured on this gateway (nothing consumes it here). */
  active: boolean
  [detail: string]: unknown
}

export interface Triggers {
  /** Rereads the subscriptions from the store and hands them to the sources. */
  sync(): Promise<void>
  /** Runs what is due now (cron instants); resolves with the ms until something is due again. */
  runDue(now?: number): Promise<number>
  /** Every subscription with its status, as this gateway sees it. */
  list(): TriggerView[]
  /** Drives sync and runDue on timers until `stop()`. */
  start(): void
  stop(): Promise<void>
}

export interface TriggersOptions {
  store: Store
  queue: QueueDriver
  logger: Logger
  metrics?: TriggerMetrics
  /** Builds the sources with the context they deliver through (so they can be built after it). */
  sources: (context: TriggerContext) => TriggerSource[]
  syncIntervalMs: number
}

export function createTriggers(options: TriggersOptions): Triggers {
  const { store, queue, logger, metrics } = options
  const status = createStatusBook()
  let subscriptions: Subscription[] = []
  const byTopic = (source: string, topic: string) =>
    subscriptions.filter((s) => s.source === source && s.topic === topic)

  const context: TriggerContext = {
    async deliver(subscription, event) {
      const label = functionLabel(subscription.function, subscription.namespace)
      try {
        const outcome = await deliverEvent(store, queue, subscription, event)
        status.delivered(subscription, outcome, new Date())
        metrics?.delivered(subscription.source, subscription.topic, label, outcome)
        return outcome
      } catch (error) {
        status.failed(subscription, error, new Date())
        metrics?.delivered(subscription.source, subscription.topic, label, 'failed')
        throw error
      }
    },
    reportError(source, topic, error) {
      logger.warn('trigger source failed', { source, topic, error })
      metrics?.sourceError(source, topic)
      for (const s of byTopic(source, topic)) status.failed(s, error, new Date())
    },
  }
  const sources = options.sources(context)
  const running = new Map(sources.map((s) => [s.kind, s]))

  async function sync(): Promise<void> {
    const functions = await store.listFunctions()
    subscriptions = functions.flatMap((fn) =>
      subscriptionsOf({
        namespace: fn.namespace,
        name: fn.name,
        annotations: fn.spec.annotations ?? {},
        since: fn.updatedAt.getTime(),
      }),
    )
    status.retain(subscriptions)
    for (const source of sources) {
      await source
        .sync(subscriptions.filter((s) => s.source === source.kind))
        .catch((error: unknown) => logger.error('trigger source sync failed', { source: source.kind, error }))
    }
  }

  async function runDue(now = Date.now()): Promise<number> {
    let wait = Number.POSITIVE_INFINITY
    for (const source of sources) {
      if (!source.runDue) continue
      try {
        wait = Math.min(wait, await source.runDue(now))
      } catch (error) {
        logger.error('trigger source failed', { source: source.kind, error })
      }
    }
    return wait
  }

  let stopped = true
  let timer: ReturnType<typeof setTimeout> | undefined
  let loop: Promise<void> = Promise.resolve()
  let lastSync = 0
  const pass = async (): Promise<number> => {
    if (Date.now() - lastSync >= options.syncIntervalMs) {
      lastSync = Date.now()
      const synced = sync()
      await synced.catch((error: unknown) => logger.error('trigger sync failed', { error }))
    }
    const wait = await runDue()
    return Math.max(1, Math.min(wait, options.syncIntervalMs - (Date.now() - lastSync)))
  }
  const schedule = () => {
    loop = pass()
      .catch((error: unknown) => {
        logger.error('trigger pass failed', { error })
        return options.syncIntervalMs
      })
      .then((wait) => {
        if (!stopped) timer = setTimeout(schedule, wait)
      })
  }

  return {
    sync,
    runDue,
    list() {
      return subscriptions.map((s) => ({
        ...status.get(s),
        active: running.has(s.source),
        ...(running.get(s.source)?.describe?.(s) ?? {}),
      }))
    },
    start() {
      if (!stopped) return
      stopped = false
      schedule()
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await loop
      await Promise.all(sources.map((s) => s.close().catch(() => undefined)))
    },
  }
}
