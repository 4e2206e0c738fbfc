/**
 * @module
 * NATS topics: `nats:<subject>`. A subject a JetStream stream captures is consumed through a durable
 * consumer (at least once, survives restarts); any other through a core NATS queue subscription (at most
 * once, fire-and-forget). Wildcards (`*`, and `>` last) are allowed. The subject must be on the operator's
 * allow-list (EDGEFAAS_TRIGGERS_NATS_SUBJECTS), so no function can read subjects it was not given, such as
 * the async queue's own.
 */

import { allowedBy } from '../allow-list.ts'
import { settingProblem } from '../settings.ts'
import type { TopicRules } from '../types.ts'

const PREFIX = 'nats:'
const TOKEN = /^[!-~]+$/

export function natsSubjectOf(topic: string): string | null {
  return topic.startsWith(PREFIX) ? topic.slice(PREFIX.length) : null
}

function subjectProblem(subject: string): string | null {
  const tokens = subject.split('.')
  const bad =
    subject.length === 0 ||
    subject.length > 255 ||
    tokens.some(
      (t, i) =>
        !TOKEN.test(t) ||
        (t.includes('*') && t !== '*') ||
        (t.includes('>') && (t !== '>' || i !== tokens.length - 1)),
    )
  return bad
    ? `topic nats:${subject.slice(0, 200)} must be a NATS subject: dot-separated tokens of visible ASCII, "*" for one token and ">" as the last`
    : null
}

export const natsTopic: TopicRules = {
  kind: 'nats',
  owns: (topic) => topic.startsWith(PREFIX),
  check(topic, annotations, policy) {
    const subject = natsSubjectOf(topic) ?? ''
    const problem = subjectProblem(subject)
    if (problem) return problem
    if (!allowedBy(policy.natsSubjects, subject, '>')) {
      return policy.natsSubjects.length === 0
        ? 'NATS triggers are off on this gateway: the operator allows subjects in EDGEFAAS_TRIGGERS_NATS_SUBJECTS'
        : `topic ${topic} names a subject this gateway does not allow: EDGEFAAS_TRIGGERS_NATS_SUBJECTS lists the subjects functions may consume`
    }
    return settingProblem(annotations, 256)
  },
}
