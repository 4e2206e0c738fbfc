/**
 * @module
 * Queue names: which named queue a function's calls go to, and a queue name as a token a queue system
 * accepts in its own names (`[A-Za-z0-9-]` stay, every other UTF-8 byte, `_` included, becomes `_hh`, so
 * the mapping is one to one and two queue names never share a stream or an SQS queue).
 */
import { QUEUE_ANNOTATION } from '../contract/labels.ts'

const encoder = new TextEncoder()

export function queueNameToken(queue: string): string {
  let out = ''
  for (const char of queue) {
    if (/^[A-Za-z0-9-]$/.test(char)) {
      out += char
      continue
    }
    for (const byte of encoder.encode(char)) out += `_${byte.toString(16).padStart(2, '0')}`
  }
  return out
}

const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

/** A plain queue name: lower-case letters, digits, `-`, `_`, starting with a letter or digit, ≤ 63 long. */
export function isQueueName(name: string): boolean {
  return QUEUE_NAME.test(name)
}

/**
 * The queue a function's async calls go to: its `com.openfaas.queue` annotation when that is a plain name
 * (lower-case letters, digits, `-`, `_`), `default` otherwise.
 */
export function queueOf(annotations: Record<string, string> | null | undefined): string {
  const requested = annotations?.[QUEUE_ANNOTATION]
  return requested && isQueueName(requested) ? requested : 'default'
}
