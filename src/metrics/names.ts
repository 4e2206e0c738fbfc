/**
 * @module
 * The series the gateway exposes: names, help texts and labels, written once for every runtime's
 * registry. Gateway series keep the OpenFaaS gateway's names and labels byte for byte (contract §4.1);
 * queue series are named as OpenFaaS Pro's queue-worker documents them (contract §4.2); backend series
 * (`edgefaas_backend_*`) are edgefaas's own, for the routing across backends.
 */
export interface SeriesDefinition<Label extends string = string> {
  name: string
  help: string
  labelNames: readonly Label[]
}

const series = <Label extends string>(
  name: string,
  help: string,
  labelNames: readonly Label[],
): SeriesDefinition<Label> => ({ name, help, labelNames })

export const GATEWAY_SERIES = {
  invocationTotal: series('gateway_function_invocation_total', 'Function metrics', ['function_name', 'code']),
  invocationSeconds: series('gateway_functions_seconds', 'Function time taken', ['function_name', 'code']),
  invocationStarted: series(
    'gateway_function_invocation_started',
    'The total number of function HTTP requests started.',
    ['function_name'],
  ),
  invocationInflight: series('gateway_function_invocation_inflight', 'Function invocations in flight', [
    'function_name',
  ]),
  serviceCount: series('gateway_service_count', 'Current count of replicas for function', ['function_name']),
} as const

/** Per-backend series of the front door: what each backend was sent and how it answered. */
export const BACKEND_SERIES = {
  requests: series(
    'edgefaas_backend_requests_total',
    'Attempts of invocations sent to a backend, by HTTP status or failure (unreachable, timeout, not_ready, not_found, aborted, error)',
    ['backend', 'code'],
  ),
  seconds: series(
    'edgefaas_backend_request_duration_seconds',
    'Time until a backend answered an attempt (response headers) or the attempt failed',
    ['backend'],
  ),
  ejections: series(
    'edgefaas_backend_ejections_total',
    'Times a backend was ejected from routing by passive health',
    ['backend'],
  ),
  healthy: series('edgefaas_backend_healthy', '1 while a backend receives calls, 0 while it is ejected', [
    'backend',
  ]),
  resends: series(
    'edgefaas_resends_total',
    'Calls resent to another backend (sent), or not resent because the retry budget was spent (budget_exhausted)',
    ['result'],
  ),
} as const

export const QUEUE_SERIES = {
  processed: series(
    'queue_worker_messages_processed_total',
    'Async calls finished by the worker, by outcome',
    ['queue_name', 'outcome'],
  ),
  inflight: series('queue_worker_function_invocation_inflight', 'Async calls running now', [
    'queue_name',
    'function_name',
  ]),
  pending: series('queue_worker_pending_messages', 'Async calls queued, delayed or running', ['queue_name']),
} as const

/** Event triggers (src/triggers/): what each subscription delivered into the async queue. */
export const TRIGGER_SERIES = {
  deliveries: series(
    'edgefaas_trigger_deliveries_total',
    'Trigger events turned into async calls, by outcome (enqueued, duplicate: already taken by another gateway or delivery, failed)',
    ['source', 'topic', 'function_name', 'outcome'],
  ),
  lastDelivery: series(
    'edgefaas_trigger_last_delivery_timestamp_seconds',
    'When a trigger last enqueued a call for a function (Unix seconds)',
    ['source', 'topic', 'function_name'],
  ),
  errors: series(
    'edgefaas_trigger_source_errors_total',
    'Failures of a trigger source itself (receive, delete, connect, bad schedule)',
    ['source', 'topic'],
  ),
} as const

/** The autoscaler's view of each function on its last tick (src/autoscale/autoscaler.ts), edgefaas's own. */
export const AUTOSCALE_SERIES = {
  desired: series(
    'edgefaas_autoscale_desired_replicas',
    'Desired replicas after the last autoscaling decision',
    ['function_name'],
  ),
  ready: series('edgefaas_autoscale_ready_replicas', 'Ready replicas the last autoscaling decision saw', [
    'function_name',
  ]),
  load: series(
    'edgefaas_autoscale_load',
    'Load the last autoscaling decision used (calls/s, calls in flight, queued calls or milli-CPU, by mode)',
    ['function_name', 'mode'],
  ),
  target: series('edgefaas_autoscale_target', 'Load per replica the last autoscaling decision aimed at', [
    'function_name',
    'mode',
  ]),
  decisions: series(
    'edgefaas_autoscale_decisions_total',
    'Changes of desired replicas made by the autoscaler or /system/alert, by direction (up, down, zero)',
    ['function_name', 'direction'],
  ),
} as const

/** Custom domains' certificates: what to alert on before a certificate runs out. */
export const CERTIFICATE_SERIES = {
  expiry: series(
    'edgefaas_certificate_expiry_timestamp_seconds',
    'When the certificate served for a custom domain expires (Unix seconds), by source (acme, uploaded)',
    ['host', 'source'],
  ),
  failures: series(
    'edgefaas_certificate_order_failures',
    'Failed ACME orders for a custom domain since its last certificate was stored (0 when the last one succeeded)',
    ['host'],
  ),
} as const
