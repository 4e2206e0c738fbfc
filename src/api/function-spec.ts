/**
 * @module
 * Turns an accepted FunctionDeployment into desired state: name and label rules, initial replicas from
 * `com.openfaas.scale.min`, placement from `edgefaas.dev/backends`, a check that every secret exists, and
 * one that every placed backend can run the spec at all.
 */
import { z } from 'zod'
import { SCALE_MAX_LABEL, SCALE_MIN_LABEL } from '../contract/labels.ts'
import { isDns1123Label } from '../contract/names.ts'
import type { functionDeploymentSchema } from '../contract/schemas.ts'
import type { GatewayDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
import { BACKENDS_ANNOTATION, parsePlacementRule, resolvePlacement } from '../routing/placement.ts'
import type { FunctionSpec } from '../store/types.ts'
import { settingsProblem } from './function-settings.ts'

export type DeploymentBody = z.output<typeof functionDeploymentSchema>

export interface ScaleBounds {
  min: number | undefined
  max: number | undefined
}

/** Validated pieces of a deploy or update. */
export interface AcceptedDeployment {
  name: string
  spec: FunctionSpec
  placement: string[]
  bounds: ScaleBounds
}

export async function acceptDeployment(
  deps: GatewayDeps,
  body: DeploymentBody,
  namespace: string,
): Promise<AcceptedDeployment> {
  if (!isDns1123Label(body.service)) {
    throw new ApiError(
      'BAD_REQUEST',
      'validation failed: service: must be a valid DNS entry (lowercase a-z, 0-9 and "-", at most 63 characters)',
    )
  }
  const labels = body.labels ?? {}
  const annotations = body.annotations ?? {}
  const bounds = scaleBounds(labels, deps.config.maxReplicas)
  const retryDefaults = { ...deps.config.retry, codes: new Set(deps.config.retry.codes) }
  const problem = settingsProblem(
    labels,
    annotations,
    retryDefaults,
    deps.config.triggers.policy,
    deps.config.callbackPolicy,
  )
  if (problem) throw new ApiError('BAD_REQUEST', `validation failed: ${problem}`)
  const placement = await placeFunction(deps, annotations[BACKENDS_ANNOTATION])
  const secrets = body.secrets ?? []
  for (const secret of secrets) {
    if (!(await deps.store.getSecret(namespace, secret))) {
      throw new ApiError(
        'BAD_REQUEST',
        `unable to fetch secrets: secret "${safe(secret)}" not found in namespace "${namespace}"`,
      )
    }
  }
  const spec: FunctionSpec = {
    image: body.image,
    ...(body.envProcess ? { envProcess: body.envProcess } : {}),
    ...(body.envVars ? { envVars: body.envVars } : {}),
    ...(body.constraints?.length ? { constraints: body.constraints } : {}),
    ...(secrets.length ? { secrets } : {}),
    labels,
    annotations,
    ...(body.limits ? { limits: body.limits } : {}),
    ...(body.requests ? { requests: body.requests } : {}),
    ...(body.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  }
  return { name: body.service, spec, placement, bounds }
}

/**
 * What a placed backend says it can never run in this spec (`Provider.checkSpec`), as the 400's
 * message; null when every placed backend can run it. Deploy and update ask once placement has chosen
 * the backends, so each backend judges only what goes to it (a function placed on an OpenFaaS cluster
 * or Lambda is not held to the local backend's rules), and before they write anything. A duplicate
 * deploy (409) and an update of a missing function (404) are answered as OpenFaaS answers them first.
 */
export function backendRefusal(deps: GatewayDeps, accepted: AcceptedDeployment): ApiError | null {
  const { placement, spec } = accepted
  const refusals: string[] = []
  for (const backend of placement) {
    const problem = deps.providers.get(backend)?.checkSpec?.(spec) ?? null
    if (problem) refusals.push(placement.length > 1 ? `backend "${backend}": ${problem}` : problem)
  }
  return refusals.length ? new ApiError('BAD_REQUEST', `validation failed: ${refusals.join('; ')}`) : null
}

/**
 * The backends a function goes on, from its `edgefaas.dev/backends` annotation against the backends known
 * now (the registry is refreshed first, so one just added through another gateway counts).
 */
async function placeFunction(deps: GatewayDeps, annotation: string | undefined): Promise<string[]> {
  const rule = parsePlacementRule(annotation)
  if (typeof rule === 'string') throw new ApiError('BAD_REQUEST', `validation failed: ${rule}`)
  await deps.providers.refresh()
  const placement = resolvePlacement(rule, deps.providers.backends(), deps.config.defaultBackend)
  if (!Array.isArray(placement)) throw new ApiError('BAD_REQUEST', `validation failed: ${placement.error}`)
  return placement
}

/** Initial replicas of a new function: the min label when positive, else 1 (as faas-netes). */
export function initialReplicas(bounds: ScaleBounds): number {
  return bounds.min !== undefined && bounds.min > 0 ? bounds.min : 1
}

const wholeNumber = z.string().regex(/^\d+$/)

function scaleBounds(labels: Record<string, string>, maxReplicas: number): ScaleBounds {
  const read = (key: string): number | undefined => {
    const value = labels[key]
    if (value === undefined) return undefined
    if (!wholeNumber.safeParse(value).success || Number(value) > maxReplicas) {
      throw new ApiError(
        'BAD_REQUEST',
        `validation failed: label ${key} must be a whole number from 0 to ${maxReplicas}`,
      )
    }
    return Number(value)
  }
  const min = read(SCALE_MIN_LABEL)
  const max = read(SCALE_MAX_LABEL)
  if (min !== undefined && max !== undefined && min > max) {
    throw new ApiError(
      'BAD_REQUEST',
      `validation failed: label ${SCALE_MIN_LABEL} must not exceed ${SCALE_MAX_LABEL}`,
    )
  }
  return { min, max }
}

/** Quotes a name only when it is a plain identifier; anything else is not echoed. */
function safe(name: string): string {
  return /^[A-Za-z0-9._-]{1,253}$/.test(name) ? name : '(invalid name)'
}
