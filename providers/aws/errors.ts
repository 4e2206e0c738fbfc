/**
 * @module
 * An AWS SDK error as a ProviderError, with a message a user can act on. The SDK v3 error carries the
 * service's exception name (`name`), whether it is the caller's fault (`$fault`), the HTTP status
 * (`$metadata.httpStatusCode`) and whether it was throttling (`$retryable.throttling`); the code follows:
 *
 * - missing resource (`ResourceNotFoundException`, `ServiceNotFoundException`, …) → NOT_FOUND;
 * - throttling (`TooManyRequestsException`, `ThrottlingException`, HTTP 429) → UNAVAILABLE, with an
 *   {@link HttpTransportError} `beforeSend` cause: AWS refused the request before running anything, so
 *   the gateway's failover may send the call elsewhere (src/invoke/attempt-outcome.ts);
 * - a refused request (`InvalidParameterValueException`, `ClientException`, other 4xx) → INVALID;
 * - a resource busy with an earlier change (`ResourceConflictException`, `PreconditionFailed`,
 *   `ResourceNotReadyException`) → UNAVAILABLE, retried by the reconciler's backoff;
 * - credentials or permissions (`AccessDeniedException`, `UnrecognizedClientException`,
 *   `InvalidSignatureException`, `ExpiredTokenException`) → INTERNAL, naming the IAM action to allow;
 * - AWS's own failures (5xx, `ServiceException`, `ServerException`) and no answer at all (DNS,
 *   connection refused, socket timeout) → UNAVAILABLE.
 */
import { HttpTransportError } from '../../src/http/client.ts'
import { ProviderError, type ProviderErrorCode } from '../types.ts'

/** What the SDK v3 puts on its errors (ServiceException), all optional for errors that are not. */
interface AwsErrorShape {
  name?: string
  message?: string
  code?: string
  $fault?: 'client' | 'server'
  $metadata?: { httpStatusCode?: number }
  $retryable?: { throttling?: boolean }
}

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'ClusterNotFoundException',
  'ProvisionedConcurrencyConfigNotFoundException',
])
const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'EC2ThrottledException',
])
const BUSY = new Set([
  'ResourceConflictException',
  'PreconditionFailedException',
  'ResourceNotReadyException',
  'ResourceInUseException',
  'UpdateInProgressException',
])
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
])
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

function shapeOf(error: unknown): AwsErrorShape {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape) : { message: String(error) }
}

/** True for the SDK's throttling errors. */
export function isThrottling(error: unknown): boolean {
  const e = shapeOf(error)
  return (
    THROTTLING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling === true
  )
}

/** True when AWS said the resource does not exist. */
export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(shapeOf(error).name ?? '')
}

/**
 * `what` says what was being done (`deploying env.openfaas-fn`), `where` which backend (`lambda
 * eu-west-1`), `permission` the IAM action the call needs, named when AWS refuses it.
 */
export function awsError(error: unknown, what: string, where: string, permission?: string): ProviderError {
  if (ProviderError.is(error)) return error
  const e = shapeOf(error)
  const name = e.name ?? 'Error'
  const message = (e.message ?? '').replace(/\p{Cc}+/gu, ' ').slice(0, 300)
  const said = `${name}${message && message !== name ? `: ${message}` : ''}`
  const fail = (code: ProviderErrorCode, text: string, cause: unknown = error) =>
    new ProviderError(code, `${what}: ${where} ${text}`, { cause })

  if (NOT_FOUND.has(name)) return fail('NOT_FOUND', `has no such resource (${said})`)
  if (isThrottling(error)) {
    // Nothing ran: AWS refused the request at its door, so it may go elsewhere.
    return fail(
      'UNAVAILABLE',
      `is throttling requests (${said}); the SDK retried, raise the account's quota or lower the call rate`,
      new HttpTransportError(`throttled by AWS: ${said}`, { beforeSend: true, cause: error }),
    )
  }
  if (DENIED.has(name) || e.$metadata?.httpStatusCode === 401 || e.$metadata?.httpStatusCode === 403) {
    return fail(
      'INTERNAL',
      `refused the backend's credentials or role (${said}); check the backend's AWS credentials` +
        (permission ? ` and that its IAM policy allows ${permission}` : ' and its IAM policy') +
        ' (docs/backends.md lists the permissions)',
    )
  }
  if (name.startsWith('KMS')) {
    return fail('INTERNAL', `cannot use the KMS key (${said}); check the key policy and kmsKeyArn`)
  }
  if (BUSY.has(name)) return fail('UNAVAILABLE', `is busy with an earlier change (${said}); retrying later`)
  const connection = e.code ?? name
  if (NO_CONNECTION.has(connection)) {
    return fail(
      'UNAVAILABLE',
      `cannot be reached (${said})`,
      new HttpTransportError(`AWS unreachable: ${said}`, { beforeSend: true, cause: error }),
    )
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || connection === 'ECONNRESET') {
    return fail('UNAVAILABLE', `did not answer in time (${said})`)
  }
  const status = e.$metadata?.httpStatusCode
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return fail('UNAVAILABLE', `failed on its side (${said}); retrying later`)
  }
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) {
    return fail('INVALID', `refused the request (${said})`)
  }
  return fail('INTERNAL', `failed (${said})`)
}
