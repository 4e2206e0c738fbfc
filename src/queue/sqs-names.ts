/**
 * @module
 * SQS queue names for named edgefaas queues. SQS allows `[A-Za-z0-9_-]`, at most 80 characters, while
 * `com.openfaas.queue` is free text: other characters are escaped, and names still too long are cut and
 * suffixed with a hash, so two different queue names never share an SQS queue.
 */

const encoder = new TextEncoder()
const maxLength = 80

/** `[A-Za-z0-9-]` stay; every other UTF-8 byte, `_` included, becomes `_hh` (so the mapping is one to one). */
function escapeName(queue: string): string {
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

export async function sqsQueueName(prefix: string, queue: string): Promise<string> {
  const name = `${prefix}${escapeName(queue)}`
  if (name.length <= maxLength) return name
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(queue)))
  const hash = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')
  return `${name.slice(0, maxLength - hash.length - 1)}-${hash}`
}
