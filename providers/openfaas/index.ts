/**
 * @module
 * The openfaas provider: functions on any backend that serves the OpenFaaS HTTP API, whether an
 * OpenFaaS CE or Pro gateway, faas-netes or faasd reached directly (faas-provider), or another edgefaas.
 * Runtime-neutral: it talks through the HttpClient it is given (src/http/client.ts), so the same code
 * runs on Node and in workerd.
 *
 * - apply: secrets to `/system/secrets`, then `PUT /system/functions`, `POST` on 404, then
 *   `/system/scale-function` when the replica count differs;
 * - invoke: `/function/<name>.<namespace><path>` with the body streamed both ways, after a cached
 *   readiness check that throws NOT_FOUND or NOT_READY before the body is read;
 * - status and instances from `/system/function/<name>`, logs from `/system/logs`, info from
 *   `/system/info`; capabilities as data, narrowed when the backend answers that it lacks one.
 *
 * docs/backends.md lists what each kind of backend supports and every quirk handled.
 */
import { type OpenFaasProviderOptions, resolveOptions } from './options.ts'
import { OpenFaasProvider } from './provider.ts'

export { INTERNAL_HEADER, isBackendInternalError } from './invoke.ts'
export type { OpenFaasCredentials, OpenFaasNamespaces, OpenFaasProviderOptions } from './options.ts'
export type { OpenFaasProvider } from './provider.ts'

/** Creates the provider; throws a TypeError saying what to fix when an option is wrong. Makes no request. */
export function createOpenFaasProvider(options: OpenFaasProviderOptions): OpenFaasProvider {
  return new OpenFaasProvider(resolveOptions(options))
}
