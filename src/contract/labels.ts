/**
 * @module
 * Label and annotation keys with a meaning to the gateway: OpenFaaS's own keep their meaning, ours are
 * under `edgefaas.dev/`.
 */
export const SCALE_MIN_LABEL = 'com.openfaas.scale.min'
export const SCALE_MAX_LABEL = 'com.openfaas.scale.max'
/** Per-function upstream timeout, a Go duration (`30s`, `1m30s`) or seconds, capped by the gateway's. */
export const TIMEOUT_ANNOTATION = 'edgefaas.dev/timeout'
/** Named queue for a function's async calls (OpenFaaS: `com.openfaas.queue`). */
export const QUEUE_ANNOTATION = 'com.openfaas.queue'
