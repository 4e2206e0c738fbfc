/**
 * @module
 * The series the gateway exposes: names, help texts and labels, written once for every runtime's
 * registry. Gateway series keep the OpenFaaS gateway's names and labels byte for byte (contract §4.1);
 * queue series are named as OpenFaaS Pro's queue-worker documents them (contract §4.2).
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
