/**
 * @module
 * Creating or updating a function on the backend the way faas-cli does (contract §1.5.2, §1.5.3, §10):
 * `PUT /system/functions` first, `POST` when that answers 404, and one more PUT when the POST answers
 * 409 because another gateway created it in between. Success is 200 (faasd), 201 or 202 (faas-netes,
 * edgefaas). The namespace goes in the body and the query, since providers read one or the other; a
 * backend without namespaces gets neither.
 */
import { ACCESS_ANNOTATIONS } from '../../src/access/settings.ts'
import type { FunctionDeployment } from '../../src/contract/types.ts'
import { DOMAINS_ANNOTATION, DOMAINS_REDIRECT_ANNOTATION } from '../../src/domains/annotation.ts'
import { BACKENDS_ANNOTATION } from '../../src/routing/placement.ts'
import type { DesiredFunction } from '../types.ts'
import type { BackendApi } from './backend-api.ts'
import { backendError, discard } from './errors.ts'

/**
 * Annotations that are this gateway's business, not the backend's: the placement (an edgefaas backend
 * would read it as a placement across its own backends, which do not have these names) and the custom
 * domains this gateway serves, and its access settings (src/access/settings.ts): this gateway checks the
 * caller and the rate and then calls the backend without the caller's credential, so an edgefaas backend
 * enforcing the same annotations would refuse every call (and count every caller as this gateway). Other
 * annotations pass, `edgefaas.dev/timeout` included, which an edgefaas backend needs so it does not cut
 * a long call short at its own default.
 */
const GATEWAY_ONLY_ANNOTATIONS = new Set([
  BACKENDS_ANNOTATION,
  DOMAINS_ANNOTATION,
  DOMAINS_REDIRECT_ANNOTATION,
  ...ACCESS_ANNOTATIONS,
])

export function deploymentOf(desired: DesiredFunction, wireNamespace: string | null): FunctionDeployment {
  const { spec } = desired
  const annotations = Object.fromEntries(
    Object.entries(spec.annotations ?? {}).filter(([key]) => !GATEWAY_ONLY_ANNOTATIONS.has(key)),
  )
  return {
    service: desired.name,
    image: spec.image,
    ...(wireNamespace === null ? {} : { namespace: wireNamespace }),
    ...(spec.envProcess ? { envProcess: spec.envProcess } : {}),
    ...(spec.envVars ? { envVars: spec.envVars } : {}),
    ...(spec.constraints ? { constraints: spec.constraints } : {}),
    ...(spec.secrets ? { secrets: spec.secrets } : {}),
    // Present as {} at least, as faas-cli sends them: faas-netes and the certifier dereference them.
    labels: spec.labels ?? {},
    annotations,
    ...(spec.limits ? { limits: spec.limits } : {}),
    ...(spec.requests ? { requests: spec.requests } : {}),
    ...(spec.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  }
}

/** Deploys or updates; throws the backend's refusal as a ProviderError. */
export async function putOrPost(
  api: BackendApi,
  deployment: FunctionDeployment,
  label: string,
): Promise<void> {
  const query = { namespace: deployment.namespace }
  const send = (method: 'PUT' | 'POST') => api.call(method, '/system/functions', { json: deployment, query })
  let response = await send('PUT')
  if (response.status === 404) {
    await discard(response)
    response = await send('POST')
    if (response.status === 409) {
      await discard(response)
      response = await send('PUT')
    }
  }
  if (!response.ok) throw await backendError(response, `deploying ${label}`, api.shown)
  await discard(response)
}
