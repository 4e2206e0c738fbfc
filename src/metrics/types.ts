/**
 * @module
 * What the gateway records about invocations, behind an interface so the core stays runtime-neutral:
 * Node implements it with prom-client (src/runtime/node/metrics.ts); where no implementation is wired,
 * `/metrics` answers 501. Series names and labels are the OpenFaaS gateway's (contract §4.1), with
 * `function_name` as `name.namespace`.
 */
export interface GatewayMetrics {
  /** A call reached the proxy: `gateway_function_invocation_started` and the in-flight gauge. */
  invocationStarted(functionName: string): void
  /** A call ended with `code` after `seconds`: `gateway_function_invocation_total`, `gateway_functions_seconds`. */
  invocationFinished(functionName: string, code: number, seconds: number): void
  /** Desired replicas of every function: `gateway_service_count`; functions not listed are dropped. */
  setServiceCounts(replicas: Map<string, number>): void
  /** Completed calls per `function_name`, summed over codes: feeds `invocationCount` in the function list. */
  invocationCounts(): Promise<Map<string, number>>
  /** The exposition for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>
}

/** `name.namespace`, the label value OpenFaaS's alert rule and invocationCount query rely on. */
export function functionLabel(name: string, namespace: string): string {
  return `${name}.${namespace}`
}
