/**
 * @module
 * The labels and annotations the gateway itself acts on, checked at deploy. Each key is read from one
 * place (OpenFaaS reads scale settings from labels, retry settings from annotations); a key given in the
 * other place, or with a value the gateway cannot use, is refused naming the key. Otherwise the setting
 * would be ignored without a word, and the function would run on defaults its author never chose.
 * Keys the gateway only stores (everything else) pass as they are.
 */
import { accessSettingsProblem } from '../access/settings.ts'
import { parseDurationMs } from '../contract/duration.ts'
import { QUEUE_ANNOTATION, SCALE_MAX_LABEL, SCALE_MIN_LABEL, TIMEOUT_ANNOTATION } from '../contract/labels.ts'
import type { CallbackPolicy } from '../queue/callback-policy.ts'
import { isQueueName } from '../queue/queue-name.ts'
import { type RetryPolicy, retryPolicyFor } from '../queue/retry-policy.ts'
import { BACKENDS_ANNOTATION } from '../routing/placement.ts'
import { triggerProblem } from '../triggers/topics.ts'
import type { TriggerPolicy } from '../triggers/types.ts'

const RETRY_ANNOTATIONS = [
  'com.openfaas.retry.attempts',
  'com.openfaas.retry.codes',
  'com.openfaas.retry.min_wait',
  'com.openfaas.retry.max_wait',
]
/** Read from annotations only. Placement is checked with the backends, in function-spec.ts. */
const ANNOTATION_KEYS = [...RETRY_ANNOTATIONS, TIMEOUT_ANNOTATION, QUEUE_ANNOTATION, BACKENDS_ANNOTATION]
/** Read from labels only; their values are checked with the replica bounds, in function-spec.ts. */
const LABEL_KEYS = [SCALE_MIN_LABEL, SCALE_MAX_LABEL]

/** The first problem with the function's settings, as a message naming the key; null when none. */
export function settingsProblem(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  retryDefaults: RetryPolicy,
  triggerPolicy: TriggerPolicy,
  callbackPolicy?: CallbackPolicy,
): string | null {
  for (const key of ANNOTATION_KEYS) {
    if (key in labels && !(key in annotations))
      return `${key} is read from annotations, not labels: move it to annotations`
  }
  for (const key of LABEL_KEYS) {
    if (key in annotations && !(key in labels))
      return `${key} is read from labels, not annotations: move it to labels`
  }
  const retry = retryPolicyFor(retryDefaults, annotations)
  if (typeof retry === 'string') return `annotation ${retry}`
  const timeout = annotations[TIMEOUT_ANNOTATION]
  if (timeout !== undefined) {
    const ms = parseDurationMs(timeout)
    if (ms === null || ms <= 0)
      return `annotation ${TIMEOUT_ANNOTATION} must be a positive duration such as 30s or 1m30s`
  }
  const queue = annotations[QUEUE_ANNOTATION]
  if (queue !== undefined && !isQueueName(queue)) {
    return `annotation ${QUEUE_ANNOTATION} must be a queue name: lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters`
  }
  return (
    accessSettingsProblem(labels, annotations, callbackPolicy) ?? triggerProblem(annotations, triggerPolicy)
  )
}
