/**
 * @module
 * Names for the NATS queue driver: queue name → stream name and subject token, and reading the delivery
 * count out of a JetStream ack subject (the message's reply subject, which is also our receipt).
 */

import { queueNameToken } from '../queue-name.ts'

/**
 * The delivery count carried in an ack subject. Two layouts exist: the old one
 * (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`, what 2.9 sends) and the
 * newer one with domain and account hash before the stream (and a random token at the end).
 * Stream and consumer names cannot contain dots, so counting tokens is unambiguous.
 */
export function deliveryCountOf(ackSubject: string): number {
  const tokens = ackSubject.split('.')
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') throw new Error('not a JetStream ack subject')
  const raw = tokens.length === 9 ? tokens[4] : tokens[6]
  const count = Number(raw)
  if (tokens.length < 9 || !Number.isInteger(count) || count < 1) {
    throw new Error('not a JetStream ack subject')
  }
  return count
}

/** Receipts come back from callers; only ever publish acks to something shaped like an ack subject. */
export function isAckSubject(receipt: string): boolean {
  return /^\$JS\.ACK\.[^\s*>]+$/.test(receipt)
}

/** A queue name as a token valid in a stream name and as one subject token. */
export const nameToken = queueNameToken
