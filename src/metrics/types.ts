/**
 * @module
 * What the gateway records about invocations, behind an interface so the core stays runtime-neutral:
 * Node implements it with prom-client (src/runtime/node/metrics.ts); where no implementation is wired,
 * `/metrics` answers 501. Series names and labels are the OpenFaaS gateway's (contract §4.1), with
 * `function_name` as `name.namespace`; the per-backend series are edgefaas's own (`edgefaas_backend_*`).
 */
export interface GatewayMetrics {
  /** A call reached the proxy: `gateway_function_invocation_started` and the in-flight gauge. */
  invocationStarted(functionName: string): void
  /** A call ended with `code` after `seconds`: `gateway_function_invocation_total`, `gateway_functions_seconds`. */
  invocationFinished(functionName: string, code: number, seconds: number): void
  /**
   * One attempt of a call on one backend ended: `edgefaas_backend_requests_total{backend,code}` and
   * `edgefaas_backend_request_duration_seconds{backend}`. `code` is the HTTP status the backend answered
   * with, or what went wrong without one (`unreachable`, `timeout`, `not_ready`, `not_found`, `aborted`,
   * `error`).
   */
  backendAttempt(backend: string, code: string, seconds: number): void
  /** The backend was ejected by passive health: `edgefaas_backend_ejections_total{backend}`. */
  backendEjected(backend: string): void
  /** `edgefaas_backend_healthy{backend}`: 1 while calls go to it, 0 while it is ejected. */
  setBackendHealthy(backend: string, healthy: boolean): void
  /** A call was resent to another backend, or was not because the retry budget was spent. */
  resend(result: 'sent' | 'budget_exhausted'): void
  /** Desired replicas of every function: `gateway_service_count`; functions not listed are dropped. */
  setServiceCounts(replicas: Map<string, number>): void
  /** Completed calls per `function_name`, summed over codes: feeds `invocationCount` in the function list. */
  invocationCounts(): Promise<Map<string, number>>
  /**
   * The autoscaler's view of every function on its last tick (`edgefaas_autoscale_*` gauges); functions
   * not listed are dropped. Optional: a registry without it shows no autoscaling series.
   */
  setAutoscaleView?(view: Map<string, AutoscaleView>): void
  /** The autoscaler or an alert changed desired replicas: `edgefaas_autoscale_decisions_total`. */
  scalingDecision?(functionName: string, direction: 'up' | 'down' | 'zero'): void
  /**
   * Every custom domain's certificate state (`edgefaas_certificate_*` gauges); hosts not listed are
   * dropped. Optional: a registry without it shows no certificate series.
   */
  setCertificates?(certificates: readonly CertificateState[]): void
  /** The exposition for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>
}

/** `name.namespace`, the label value OpenFaaS's alert rule and invocationCount query rely on. */
export function functionLabel(name: string, namespace: string): string {
  return `${name}.${namespace}`
}

/** One function as the autoscaler saw it on its last tick. */
export interface AutoscaleView {
  /** `rps`, `capacity`, `queue`, `cpu`, `alert`, `static`, `disabled`. */
  mode: string
  desired: number
  ready: number
  /** null when the decision had no load figure. */
  load: number | null
  target: number | null
}

/** What the certificate series show of one domain's certificate (a CertificateSummary fits). */
export interface CertificateState {
  host: string
  source: string | null
  notAfter: Date | null
  attempts: number
}
