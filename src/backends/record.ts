/**
 * @module
 * Between a backend as users write it (src/backends/schema.ts) and as the store keeps it: what a create,
 * a replace or the backends file writes, and what `/system/backends` shows. The stored `config` of an
 * `openfaas` backend is `{ url, credentialsType?, options? }`, of a `lambda` or `ecs` backend
 * `{ region, credentialsType?, options }`; the credentials themselves are sealed in their own column and
 * never shown.
 */
import { ApiError } from '../errors.ts'
import type { SecretCipher } from '../store/cipher.ts'
import type { BackendRecord, BackendWrite } from '../store/types.ts'
import { type CredentialsType, credentialsType, sealCredentials } from './credentials.ts'
import type { BackendHealth } from './health.ts'
import type {
  BackendInput,
  EcsBackendOptions,
  LambdaBackendOptions,
  OpenFaasBackendOptions,
} from './schema.ts'

/** The kind-specific part of an `openfaas` backend's stored config. */
export interface OpenFaasBackendConfig {
  url: string
  credentialsType?: CredentialsType
  options?: OpenFaasBackendOptions
}

/** The kind-specific part of a `lambda` or `ecs` backend's stored config. */
export interface AwsBackendConfig {
  region: string
  credentialsType?: CredentialsType
  options: LambdaBackendOptions | EcsBackendOptions
}

export interface WriteContext {
  cipher: SecretCipher | null
  /** The backend as stored now, for a replace; null for a create. */
  existing: BackendRecord | null
  /**
   * true (API updates): omitted credentials keep the stored ones. false (the backends file, which states
   * everything): omitted means none.
   */
  keepOmittedCredentials: boolean
}

/** The store write for `input` named `name`; throws ApiError (400/503) saying what to fix. */
export async function backendWrite(
  name: string,
  input: BackendInput,
  ctx: WriteContext,
): Promise<BackendWrite> {
  const config: OpenFaasBackendConfig | AwsBackendConfig =
    input.kind === 'openfaas' ? { url: input.url } : { region: input.region, options: input.options }
  if (input.kind === 'openfaas' && input.options && Object.keys(input.options).length > 0)
    (config as OpenFaasBackendConfig).options = input.options
  let sealed: string | null = null
  if (input.credentials) {
    if (!ctx.cipher) {
      throw new ApiError(
        'UNAVAILABLE',
        'backend credentials are stored encrypted with the secrets key: set EDGEFAAS_SECRETS_KEY (openssl rand -base64 32)',
      )
    }
    sealed = await sealCredentials(ctx.cipher, name, input.credentials)
    config.credentialsType = credentialsType(input.credentials)
  } else if (input.credentials === undefined && ctx.keepOmittedCredentials && ctx.existing?.credentials) {
    const before = stringField(ctx.existing.config, 'url')
    // Stored credentials must not follow the backend to a different server, or to another kind (basic
    // auth is no AWS key), without being given again. AWS keys only ever go to AWS's own endpoints.
    if (ctx.existing.kind !== input.kind) {
      throw new ApiError(
        'BAD_REQUEST',
        `validation failed: credentials: the kind changed from "${ctx.existing.kind}"; give the credentials again (or "credentials": null for none)`,
      )
    }
    if (input.kind === 'openfaas' && (!before || originOf(before) !== originOf(input.url))) {
      throw new ApiError(
        'BAD_REQUEST',
        'validation failed: credentials: the url now points to another server; give the credentials again (or "credentials": null for none)',
      )
    }
    sealed = ctx.existing.credentials
    const type = stringField(ctx.existing.config, 'credentialsType')
    if (type === 'basic' || type === 'bearer' || type === 'aws') config.credentialsType = type
  }
  return {
    name,
    kind: input.kind,
    config: { ...config },
    labels: input.labels ?? {},
    isDefault: input.default ?? false,
    credentials: sealed,
  }
}

/** A backend as `/system/backends` shows it: never a credential, only its type. */
export interface BackendView {
  name: string
  kind: string
  url?: string
  /** AWS kinds: the region. */
  region?: string
  labels: Record<string, string>
  default: boolean
  /** The local provider of a Node gateway: cannot be changed or deleted through the API. */
  builtin: boolean
  credentials?: { type: CredentialsType }
  options?: Record<string, unknown>
  /** Live functions placed on it. */
  functions: number
  health: HealthView
  /** What this gateway's calls saw of it: passive health (ejection) and the calls out now. */
  traffic: TrafficView
  createdAt: string
  updatedAt: string
}

export interface TrafficView {
  /** `healthy`, `ejected` (calls avoid it), `half-open` (one trial call at a time); null before any call. */
  state: 'healthy' | 'ejected' | 'half-open' | null
  consecutiveFailures: number
  /** Until when it is ejected; null unless ejected. */
  ejectedUntil: string | null
  /** The last failed call's (or probe's) error. */
  lastError: string | null
  /** Calls sent to it by this gateway and not answered yet. */
  inflight: number
  /** The slowest function's load estimate there (peak-EWMA answer time), ms; 0 before any answer. */
  peakLatencyMs: number
}

/** A backend no call has gone to yet. */
export const NO_TRAFFIC: TrafficView = {
  state: null,
  consecutiveFailures: 0,
  ejectedUntil: null,
  lastError: null,
  inflight: 0,
  peakLatencyMs: 0,
}

export interface HealthView {
  /** null until this gateway has checked it. */
  reachable: boolean | null
  lastError: string | null
  lastSeen: string | null
  checkedAt: string | null
}

export function backendView(
  record: BackendRecord,
  extras: { builtin: boolean; functions: number; health: BackendHealth; traffic?: TrafficView },
): BackendView {
  const url = stringField(record.config, 'url')
  const region = stringField(record.config, 'region')
  const type = stringField(record.config, 'credentialsType')
  const options = record.config.options
  const { health } = extras
  return {
    name: record.name,
    kind: record.kind,
    ...(url ? { url } : {}),
    ...(region ? { region } : {}),
    labels: record.labels,
    default: record.isDefault,
    builtin: extras.builtin,
    ...(record.credentials && (type === 'basic' || type === 'bearer' || type === 'aws')
      ? { credentials: { type } }
      : {}),
    ...(options && typeof options === 'object' ? { options: options as Record<string, unknown> } : {}),
    functions: extras.functions,
    health: {
      reachable: health.reachable,
      lastError: health.lastError,
      lastSeen: health.lastSeen?.toISOString() ?? null,
      checkedAt: health.checkedAt?.toISOString() ?? null,
    },
    traffic: extras.traffic ?? NO_TRAFFIC,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  }
}

function stringField(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key]
  return typeof value === 'string' ? value : undefined
}

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return ''
  }
}
