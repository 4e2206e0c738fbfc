/**
 * @module
 * OpenFaaS wire types. Field names are byte-for-byte those of faas-provider's Go structs
 * (types/*.go), because faas-cli, the UI and the certifier decode them by name.
 */

/** Resource quantities as Kubernetes-style strings, e.g. `128Mi`, `100m`. */
export interface FunctionResources {
  memory?: string
  cpu?: string
  'nvidia.com/gpu'?: string
  'amd.com/gpu'?: string
  'intel.com/gpu'?: string
}

/** Body of `POST|PUT /system/functions`. */
export interface FunctionDeployment {
  service: string
  image: string
  namespace?: string
  envProcess?: string
  envVars?: Record<string, string>
  constraints?: string[]
  secrets?: string[]
  labels?: Record<string, string> | null
  annotations?: Record<string, string> | null
  limits?: FunctionResources | null
  requests?: FunctionResources | null
  readOnlyRootFilesystem?: boolean
}

/** One item of `GET /system/functions`, and the body of `GET /system/function/{name}`. */
export interface FunctionStatus {
  name: string
  image: string
  namespace?: string
  envProcess?: string
  envVars?: Record<string, string>
  constraints?: string[]
  secrets?: string[]
  labels?: Record<string, string>
  annotations?: Record<string, string>
  limits?: FunctionResources
  requests?: FunctionResources
  readOnlyRootFilesystem?: boolean
  invocationCount?: number
  replicas?: number
  availableReplicas?: number
  createdAt: string
  usage?: { cpu?: number; totalMemoryBytes?: number }
}

/** Body of `POST /system/scale-function/{name}`. */
export interface ScaleServiceRequest {
  serviceName: string
  replicas: number
  namespace?: string
}

/** Body of `DELETE /system/functions`. */
export interface DeleteFunctionRequest {
  functionName: string
  namespace?: string
}

/** Body of `/system/secrets`. `rawValue` is base64 (Go `[]byte`). */
export interface Secret {
  name: string
  namespace?: string
  value?: string
  rawValue?: string
}

/** Body of `/system/namespace/{ns}`. */
export interface FunctionNamespace {
  name: string
  annotations?: Record<string, string>
  labels?: Record<string, string>
}

export interface VersionInfo {
  commit_message?: string
  sha: string
  release: string
}

export interface ProviderInfo {
  provider: string
  version: VersionInfo
  orchestration: string
}

/** Body of `GET /system/info`; key order matches the Go struct. */
export interface GatewayInfo {
  provider: ProviderInfo | null
  version: VersionInfo
  arch: string
}

/** One NDJSON line of `GET /system/logs`. */
export interface LogMessage {
  name: string
  namespace: string
  instance: string
  /** RFC3339Nano */
  timestamp: string
  text: string
}

/** Query of `GET /system/logs`. */
export interface LogRequest {
  name: string
  namespace: string
  instance?: string
  /** ≤0 means unlimited */
  tail?: number
  follow: boolean
  since?: Date
}
