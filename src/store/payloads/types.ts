/**
 * @module
 * Payloads: the claim check for queues whose messages are too small for a request body.
 */

export interface PayloadStore {
  /** Stores `body` (base64) under `id`, replacing any previous one. */
  putPayload(id: string, body: string): Promise<void>
  getPayload(id: string): Promise<string | null>
  deletePayload(id: string): Promise<boolean>
  /** Deletes payloads stored before `before` (left behind by messages the queue dropped); returns how many. */
  deletePayloadsBefore(before: Date): Promise<number>
}
