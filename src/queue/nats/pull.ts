/**
 * @module
 * One JetStream pull request, spoken directly (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`), because
 * the client library's `fetch` cannot do what `receive` needs: it has no `no_wait`, refuses expiries under
 * one second, and keeps a batch request open until the batch is full, so "return as soon as something is
 * there" is impossible with it. Raw requests keep every server-side request bounded: either `no_wait`
 * (ends at once with what is available) or a batch of one with an expiry (ends on the first message).
 */
import { createInbox, type Msg, type NatsConnection } from '@nats-io/nats-core'

export interface PullRequest {
  batch: number
  /** Wait up to this long for the batch; without it the request is `no_wait`. */
  expiresMs?: number
  signal?: AbortSignal
}

export interface PullResult {
  messages: Msg[]
  /**
   * Why the request ended: `full`, `end` (the server closed it: nothing more available, or expired),
   * `conflict` (the server refused it, e.g. the consumer was deleted), `silent` (no answer at all: the
   * consumer does not exist, or the connection is down), `aborted`.
   */
  outcome: 'full' | 'end' | 'conflict' | 'silent' | 'aborted'
  detail?: string
}

/** How long past the server-side expiry to wait for the server's own end-of-request status. */
const graceMs = 2_000

/**
 * Sends one pull request and collects its messages. Messages that arrive after the caller stopped
 * listening (abort, or the client-side deadline) are leased to nobody; they are handed to `onLate`
 * until the server-side request has surely ended, so the caller can release them at once instead of
 * letting them sit out a whole lease.
 */
export async function pull(
  nc: NatsConnection,
  apiSubject: string,
  request: PullRequest,
  onLate: (msg: Msg) => void,
  inboxPrefix?: string,
): Promise<PullResult> {
  if (request.signal?.aborted) return { messages: [], outcome: 'aborted' }
  const inbox = createInbox(inboxPrefix)
  const messages: Msg[] = []
  return await new Promise<PullResult>((resolve) => {
    let settled = false
    const waitMs = (request.expiresMs ?? 0) + graceMs
    const finish = (outcome: PullResult['outcome'], detail?: string) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      request.signal?.removeEventListener('abort', onAbort)
      if (outcome === 'aborted' || outcome === 'silent') {
        // The server-side request may still be open: keep the inbox until it has surely expired.
        setTimeout(() => sub.unsubscribe(), waitMs).unref?.()
      } else {
        sub.unsubscribe()
      }
      resolve(detail === undefined ? { messages, outcome } : { messages, outcome, detail })
    }
    const sub = nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (err) return finish('silent', err.message)
        const code = msg.headers?.code ?? 0
        if (code === 0 && msg.reply) {
          if (settled) return onLate(msg)
          messages.push(msg)
          if (messages.length >= request.batch) finish('full')
          return
        }
        // 100 is an idle heartbeat (never requested here); 404/408 end the request; 409 refuses it.
        if (code === 100) return
        finish(code === 409 ? 'conflict' : 'end', msg.headers?.description)
      },
    })
    const onAbort = () => finish('aborted')
    request.signal?.addEventListener('abort', onAbort, { once: true })
    const deadline = setTimeout(() => finish('silent'), waitMs)
    const body: Record<string, number | boolean> = { batch: request.batch }
    if (request.expiresMs === undefined) body.no_wait = true
    else body.expires = Math.max(1, Math.round(request.expiresMs)) * 1_000_000
    nc.publish(apiSubject, JSON.stringify(body), { reply: inbox })
  })
}
