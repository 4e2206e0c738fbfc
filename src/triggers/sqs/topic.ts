/**
 * @module
 * SQS topics: `sqs:<queue-name>` (looked up in the configured region) or `sqs:<queue-url>`. The OpenFaaS
 * SQS connector names the queue in its own configuration and functions write the bare queue name as
 * their topic; one edgefaas gateway serves several sources, so the source is named in the topic. A queue
 * must be on the operator's allow-list (EDGEFAAS_TRIGGERS_SQS_QUEUES): whoever deploys a function must not
 * be able to drain any queue the gateway's AWS credentials can read.
 */
import { allowedBy } from '../allow-list.ts'
import { settingProblem } from '../settings.ts'
import type { TopicRules } from '../types.ts'

const PREFIX = 'sqs:'
/** SQS's own rule for names: 1–80 of A-Z a-z 0-9 - _, `.fifo` for FIFO queues. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/

/** The queue a topic names (a name or an https URL); null when the topic is not an SQS one. */
export function sqsQueueOf(topic: string): string | null {
  return topic.startsWith(PREFIX) ? topic.slice(PREFIX.length) : null
}

export function isSqsQueueUrl(queue: string): boolean {
  return /^https?:\/\//i.test(queue)
}

function queueProblem(queue: string): string | null {
  if (QUEUE_NAME.test(queue)) return null
  if (isSqsQueueUrl(queue)) {
    try {
      const url = new URL(queue)
      const name = url.pathname.split('/').filter(Boolean).at(-1) ?? ''
      if (!url.username && !url.password && !url.search && !url.hash && QUEUE_NAME.test(name)) return null
    } catch {}
    return `topic sqs:${queue.slice(0, 200)} is not an SQS queue URL such as sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/orders`
  }
  return `topic sqs:${queue.slice(0, 200)} must name an SQS queue: 1 to 80 letters, digits, "-" or "_" (".fifo" for FIFO queues), or its URL`
}

export const sqsTopic: TopicRules = {
  kind: 'sqs',
  owns: (topic) => topic.startsWith(PREFIX),
  check(topic, annotations, policy) {
    const queue = sqsQueueOf(topic) ?? ''
    const problem = queueProblem(queue)
    if (problem) return problem
    if (!allowedBy(policy.sqsQueues, queue, '*')) {
      return policy.sqsQueues.length === 0
        ? 'SQS triggers are off on this gateway: the operator allows queues in EDGEFAAS_TRIGGERS_SQS_QUEUES'
        : `topic ${topic} names a queue this gateway does not allow: EDGEFAAS_TRIGGERS_SQS_QUEUES lists the queues functions may consume`
    }
    return settingProblem(annotations, 10)
  },
}
