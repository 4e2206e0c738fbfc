/**
 * @module
 * Queue names (`com.openfaas.queue`, free text) as tokens a queue system accepts in its own names:
 * `[A-Za-z0-9-]` stay, every other UTF-8 byte, `_` included, becomes `_hh`, so the mapping is one to one
 * and two different queue names never share a stream or an SQS queue.
 */
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
