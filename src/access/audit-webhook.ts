/**
 * @module
 * Posts each audit entry to `EDGEFAAS_AUDIT_WEBHOOK_URL`, signed so the receiver can tell it came from
 * this gateway and was not replayed: `X-Edgefaas-Timestamp` (Unix seconds) and `X-Edgefaas-Signature:
 * sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under EDGEFAAS_AUDIT_WEBHOOK_SECRET>`. Sent through the
 * runtime's callback transport, which checks the address it connects to (the same SSRF rules as async
 * callbacks); the URL itself is checked at start. Best effort, in the background: the store is the record.
 */
import type { Logger } from '../logger.ts'
import type { CallbackSender } from '../queue/callbacks.ts'
import type { AuditEntry } from '../store/types.ts'

export interface AuditWebhookOptions {
  url: string
  secret: string
  send: CallbackSender
  logger: Logger
  userAgent: string
}

export function createAuditWebhook(options: AuditWebhookOptions): (entry: AuditEntry) => void {
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return (entry) => {
    const body = new TextEncoder().encode(JSON.stringify({ ...entry, at: entry.at.toISOString() }))
    const timestamp = String(Math.floor(Date.now() / 1000))
    const sent = (async () => {
      const headers = new Headers({
        'content-type': 'application/json',
        'user-agent': options.userAgent,
        'x-edgefaas-timestamp': timestamp,
        'x-edgefaas-signature': `sha256=${await signature(await key, timestamp, body)}`,
      })
      const status = await options.send(options.url, headers, body)
      if (status >= 300) options.logger.warn('audit webhook refused the entry', { status, entry: entry.id })
    })()
    sent.catch((error: unknown) => options.logger.warn('audit webhook failed', { entry: entry.id, error }))
  }
}

/** Hex HMAC-SHA256 of `<timestamp>.<body>`, what a receiver recomputes to verify. */
export async function signature(
  key: Awaited<ReturnType<typeof crypto.subtle.importKey>>,
  timestamp: string,
  body: Uint8Array,
): Promise<string> {
  const prefix = new TextEncoder().encode(`${timestamp}.`)
  const data = new Uint8Array(prefix.byteLength + body.byteLength)
  data.set(prefix)
  data.set(body, prefix.byteLength)
  const mac = await crypto.subtle.sign('HMAC', key, data)
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
