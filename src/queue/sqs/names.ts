/**
 * @module
 * SQS queue names for named edgefaas queues. SQS allows `[A-Za-z0-9_-]`, at most 80 characters, while
 * `com.openfaas.queue` is free text: other characters are escaped, and names still too long are cut and
 * suffixed with a hash, so two different queue names never share an SQS queue.
 */

import { queueNameToken } from '../queue-name.ts'

const encoder = new TextEncoder()
const maxLength = 80

export async function sqsQueueName(prefix: string, queue: string): Promise<string> {
  const name = `${prefix}${queueNameToken(queue)}`
  if (name.length <= maxLength) return name
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(queue)))
  const hash = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')
  return `${name.slice(0, maxLength - hash.length - 1)}-${hash}`
}
