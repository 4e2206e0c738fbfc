/**
 * @module
 * The step every message source's `sync` starts with: the new subscriptions grouped by topic (one
 * consumer per queue or subject, shared by the functions subscribed to it), and the consumers of topics
 * no function names any more removed and stopped.
 */
import type { Subscription } from './types.ts'

export async function regroupByTopic<Consumer>(
  subscriptions: readonly Subscription[],
  consumers: Map<string, Consumer>,
  stop: (consumer: Consumer) => Promise<void>,
): Promise<Map<string, Subscription[]>> {
  const byTopic = new Map<string, Subscription[]>()
  for (const s of subscriptions) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s])
  for (const [topic, consumer] of consumers) {
    if (!byTopic.has(topic)) {
      consumers.delete(topic)
      await stop(consumer)
    }
  }
  return byTopic
}
