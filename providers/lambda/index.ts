/**
 * @module
 * The lambda provider: OpenFaaS functions as AWS Lambda container-image functions. Runtime-neutral: it
 * talks to AWS through the SDK v3 clients it is given (options.ts `LambdaClients`), which the gateway
 * builds from a backend's region and credentials (src/backends/aws-providers.ts).
 *
 * - apply: CreateFunction (PackageType Image) or UpdateFunctionCode/UpdateFunctionConfiguration, each
 *   followed by the SDK waiters until the function is Active and its update Successful; PublishVersion;
 *   the alias (`live`) pointed at it; replicas as provisioned concurrency on the alias (concurrency.ts);
 * - invoke: Invoke with an API Gateway v2 HTTP event, which the Lambda Web Adapter in the image turns into
 *   a request to the watchdog (function-config.ts, event.ts, response.ts, invoke.ts);
 * - status from the alias's provisioned concurrency, logs from CloudWatch Logs, remove: DeleteFunction;
 * - secrets in the (KMS-encrypted) environment as `EDGEFAAS_SECRETS`, written to files by the image's
 *   entrypoint (providers/aws/image/edgefaas-secrets.sh).
 *
 * docs/backends.md ("AWS Lambda") has the IAM permissions, the image recipe and an example.
 */
import { type LambdaProviderOptions, resolveLambdaOptions } from './options.ts'
import { LambdaProvider } from './provider.ts'

export type { LambdaClients, LambdaProviderOptions } from './options.ts'
export type { LambdaProvider } from './provider.ts'
export { FUNCTION_ERROR_HEADER } from './response.ts'

/** Creates the provider; throws a TypeError saying what to fix when an option is wrong. Makes no request. */
export function createLambdaProvider(options: LambdaProviderOptions): LambdaProvider {
  return new LambdaProvider(resolveLambdaOptions(options))
}
