/**
 * @module
 * Per-message leases on top of JetStream's single, per-consumer ack wait.
 *
 * The consumer's ack wait is kept short and fixed; it only bounds how long a message stays with a
 * process that died. While the receiving process lives, this tracker enforces each message's own lease:
 * it re-arms the server's ack wait with `+WPI` every half ack wait until the lease ends, then releases the
 * message with `-NAK` (available again at once, its delivery count grows). Changing the consumer's ack
 * wait per `receive` instead would apply the latest lease to every message in flight on the queue.
 *
 * nats-server 2.9 applies an ack, nak or `+WPI` to the message's current delivery even when it names an
 * older one. So once a signal may have come too late (none could be sent for a whole ack wait, e.g. while
 * disconnected, and the server may have redelivered the message elsewhere) the tracker lets go of the
 * message silently rather than nak or extend somebody else's delivery.
 */

export type LeaseSignal = '+WPI' | '-NAK'

export interface LeaseTracker {
  /** (Re)starts the lease of a received message: it ends `leaseMs` from now. */
  hold(receipt: string, leaseMs: number): void
  /** Stops tracking (the message was acked or retried). */
  drop(receipt: string): void
  /** Stops tracking everything (closing); unacked messages come back after the server's ack wait. */
  clear(): void
}

/** `send` returns false when it could not send (disconnected); the tracker then tries again. */
export function createLeaseTracker(
  ackWaitMs: number,
  send: (receipt: string, signal: LeaseSignal) => boolean,
): LeaseTracker {
  const timers = new Map<string, ReturnType<typeof setTimeout>>()
  const beatEvery = Math.max(50, Math.floor(ackWaitMs / 2))

  const drop = (receipt: string) => {
    clearTimeout(timers.get(receipt))
    timers.delete(receipt)
  }

  return {
    hold(receipt, leaseMs) {
      drop(receipt)
      const deadline = Date.now() + leaseMs
      // When the server last (re)started its ack wait for this delivery, as far as we know.
      let armedAt = Date.now()
      const arm = () => {
        const handle = setTimeout(
          () => {
            const now = Date.now()
            if (now - armedAt >= ackWaitMs) return void timers.delete(receipt)
            const ended = now >= deadline
            // Fire and forget: a lost signal is covered by the next, or by the server's ack wait.
            if (send(receipt, ended ? '-NAK' : '+WPI')) {
              if (ended) return void timers.delete(receipt)
              armedAt = now
            }
            arm()
          },
          Math.max(0, Math.min(deadline - Date.now(), beatEvery)),
        )
        // Leases must not keep a process alive that has nothing else to do.
        handle.unref?.()
        timers.set(receipt, handle)
      }
      arm()
    },
    drop,
    clear() {
      for (const handle of timers.values()) clearTimeout(handle)
      timers.clear()
    },
  }
}
