/**
 * @module
 * Shutdown for instances behind a load balancer, on every runtime that runs a long-lived process:
 * `/readyz` turns 503 `draining` at once, and the listeners keep serving for `delayMs`
 * (EDGEFAAS_DRAIN_DELAY_MS) so the balancer stops sending new work before they close.
 */
import type { Readiness } from './readiness.ts'

export function drainThenClose(
  readiness: Readiness,
  delayMs: number,
  close: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    readiness.drain()
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    await close()
  }
}
