/**
 * @module
 * The `topic` annotation: a comma-separated list of topics (as OpenFaaS's connector-sdk reads it), each
 * owned by at most one source. Checked at deploy (`triggerProblem`) so a bad schedule or a queue the
 * operator did not allow is a 400 naming what to fix, and read on every sync (`subscriptionsOf`).
 * A topic no source here owns is kept as it is: an external connector may read it.
 */
import { cronTopic } from './cron/topic.ts'
import { natsTopic } from './nats/topic.ts'
import { sqsTopic } from './sqs/topic.ts'
import type { Subscription, TopicRules, TriggerPolicy } from './types.ts'

export const TOPIC_ANNOTATION = 'topic'

/** Every source's topic rules. A new source is one folder and one entry here. */
export const TOPIC_RULES: readonly TopicRules[] = [cronTopic, sqsTopic, natsTopic]

/** The topics a `topic` annotation lists, trimmed, empty entries dropped, each once. */
export function topicsOf(annotations: Record<string, string> | undefined): string[] {
  const value = annotations?.[TOPIC_ANNOTATION]
  if (!value) return []
  return [
    ...new Set(
      value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ]
}

function rulesFor(topic: string): TopicRules | undefined {
  return TOPIC_RULES.find((rules) => rules.owns(topic))
}

/** The first problem with the function's trigger annotations, naming what to fix; null when none. */
export function triggerProblem(annotations: Record<string, string>, policy: TriggerPolicy): string | null {
  const raw = annotations[TOPIC_ANNOTATION]
  if (raw !== undefined && raw.length > 4096)
    return `annotation ${TOPIC_ANNOTATION} is longer than 4096 characters`
  for (const topic of topicsOf(annotations)) {
    const problem = rulesFor(topic)?.check(topic, annotations, policy)
    if (problem) return problem
  }
  return null
}

/** The subscriptions of one function: one per topic a source here owns. */
export function subscriptionsOf(fn: {
  namespace: string
  name: string
  annotations: Record<string, string>
  since: number
}): Subscription[] {
  const out: Subscription[] = []
  for (const topic of topicsOf(fn.annotations)) {
    const rules = rulesFor(topic)
    if (rules)
      out.push({
        source: rules.kind,
        topic,
        namespace: fn.namespace,
        function: fn.name,
        annotations: fn.annotations,
        since: fn.since,
      })
  }
  return out
}
