/**
 * @module
 * Event triggers: sources (cron, SQS, NATS, …) that invoke functions through the async path. A function
 * subscribes with OpenFaaS's `topic` annotation (comma-separated, as the connector-sdk reads it); each
 * source owns the topics of its form (`cron-function`, `sqs:<queue>`, `nats:<subject>`). One folder per
 * source under src/triggers/ with the same files: `topic.ts` (the deploy-time rules of its topics, pure)
 * and `source.ts` (the consumer, built only where the source is configured).
 */

/** One function subscribed to one topic. */
export interface Subscription {
  /** The source kind that owns the topic (`cron`, `sqs`, `nats`). */
  source: string
  /** The topic entry as the function wrote it (`sqs:orders`). */
  topic: string
  namespace: string
  function: string
  annotations: Record<string, string>
  /** Unix ms since when the function has this subscription at the latest (its last update). */
  since: number
}

/** One message (or scheduled instant) of a source, for one subscribed function. */
export interface TriggerEvent {
  /**
   * Identifies the message at its source (SQS message id, JetStream stream sequence, the cron instant):
   * every delivery of one message gives the same key, so a redelivery maps to the same call id.
   */
  key: string
  body: Uint8Array
  /** Request headers for the function, names lower-case. */
  headers: Array<[string, string]>
  /** Unix ms of the message at its source; stable across redeliveries. */
  occurredAt: number
  /**
   * The source has delivered this message before (an earlier holder may have died between recording the
   * call and queueing it): a call found still `queued` is queued again (idempotent per call id).
   */
  redelivered: boolean
}

export type DeliveryOutcome =
  /** The call was recorded and queued now. */
  | 'enqueued'
  /** The call existed: another gateway or an earlier delivery took it. */
  | 'duplicate'

/** What the framework hands each source. */
export interface TriggerContext {
  /** Records and queues the function's call for `event`; throws when it could not be queued. */
  deliver(subscription: Subscription, event: TriggerEvent): Promise<DeliveryOutcome>
  /** A source-side failure (receive, delete, connect) for every subscription of `topic`. */
  reportError(source: string, topic: string, error: unknown): void
}

/** The deploy-time rules of one source's topics: pure, so every gateway checks the same. */
export interface TopicRules {
  readonly kind: string
  /** Whether this topic entry has this source's form. */
  owns(topic: string): boolean
  /** What is wrong with subscribing a function with these annotations to `topic`; null when fine. */
  check(topic: string, annotations: Record<string, string>, policy: TriggerPolicy): string | null
}

/** A running source. */
export interface TriggerSource {
  readonly kind: string
  /** The subscriptions wanted now (this source's only): start consumers for new ones, stop the rest. */
  sync(subscriptions: Subscription[]): Promise<void>
  /** Time-driven work due at `now` (cron); resolves with the ms until it wants to run again. */
  runDue?(now: number): Promise<number>
  /** Extra fields for `/system/triggers` about one subscription (a cron's next run, a queue's URL). */
  describe?(subscription: Subscription): Record<string, unknown>
  close(): Promise<void>
}

/** What a deploy may subscribe to: the operator's allow-lists (docs/triggers.md). */
export interface TriggerPolicy {
  /** SQS queue names or URLs; an entry ending in `*` is a prefix. Empty: SQS topics are refused. */
  sqsQueues: string[]
  /** NATS subjects; an entry ending in `>` allows every subject under it. Empty: NATS topics are refused. */
  natsSubjects: string[]
}

/** Per-trigger series, where the runtime has a registry (src/metrics/names.ts TRIGGER_SERIES). */
export interface TriggerMetrics {
  delivered(source: string, topic: string, functionName: string, outcome: DeliveryOutcome | 'failed'): void
  sourceError(source: string, topic: string): void
}
