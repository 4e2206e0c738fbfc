/**
 * @module
 * `X-OpenFaaS-Internal`: set by the OpenFaaS gateway's and faas-provider's proxy on the answers they
 * make themselves (contract §2.4: `503 No endpoints available`, `500 Can't reach service`), never on a
 * function's own. edgefaas sets it (`proxy`) on its own invocation errors too, so a front door in front
 * of it, and the OpenFaaS Pro queue-worker, can tell a failure of the path from the function's answer.
 */
export const INTERNAL_HEADER = 'x-openfaas-internal'

/** True when the gateway or provider in front of the function answered, not the function. */
export function isInternalAnswer(response: Response): boolean {
  return response.headers.has(INTERNAL_HEADER)
}
