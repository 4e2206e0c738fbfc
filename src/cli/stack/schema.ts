/**
 * @module
 * The OpenFaaS stack file schema (contract §6.3; go-sdk stack/schema.go), checked field by field with
 * messages that name the field: `functions.api.limits.memory: must be a string`. Build-only fields
 * (lang, handler, build_args …) are accepted and ignored; unknown fields are ignored too, as faas-cli
 * does, so files written for newer faas-cli versions still read.
 */
import type { YamlText } from './yaml-text.ts'

export interface Resources {
  memory?: string
  cpu?: string
}

export interface StackFunction {
  name: string
  lang?: string
  image: string
  fprocess?: string
  environment: Record<string, string>
  environmentFile: string[]
  secrets: string[]
  labels: Record<string, string>
  annotations: Record<string, string>
  limits?: Resources
  requests?: Resources
  /** Undefined when not written: faas-cli then uses `--constraint` flags. */
  constraints?: string[]
  namespace?: string
  readOnlyRootFilesystem: boolean
}

export interface Stack {
  version?: string
  provider: { name: string; gateway?: string }
  functions: StackFunction[]
}

export class StackError extends Error {}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function readStack(doc: YamlText): Stack {
  const top = mapping(doc, '(the file)')
  const version = optString(top.version, 'version')
  if (version !== undefined && version !== '' && version !== '1.0') {
    throw new StackError(`version: "${version}" is not supported; the only stack file version is 1.0`)
  }
  const provider = mapping(top.provider ?? null, 'provider')
  const name = optString(provider.name, 'provider.name')
  if (name !== 'openfaas') {
    throw new StackError(
      `provider.name: must be "openfaas" (found ${name === undefined ? 'nothing' : `"${name}"`}), as faas-cli requires`,
    )
  }
  const gateway = optString(provider.gateway, 'provider.gateway')
  const functions = mapping(top.functions ?? {}, 'functions')
  return {
    ...(version ? { version } : {}),
    provider: { name, ...(gateway ? { gateway } : {}) },
    functions: Object.entries(functions).map(([fnName, value]) => readFunction(fnName, value)),
  }
}

function readFunction(name: string, value: YamlText): StackFunction {
  const at = `functions.${name}`
  if (!DNS1123_LABEL.test(name) || name.length > 63) {
    throw new StackError(
      `${at}: "${name}" is not a valid function name; use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    )
  }
  const fn = mapping(value ?? {}, at)
  const image = optString(fn.image, `${at}.image`)
  if (!image) throw new StackError(`${at}.image: is required (the image the function runs)`)
  const out: StackFunction = {
    name,
    image,
    environment: stringMap(fn.environment, `${at}.environment`),
    environmentFile: stringList(fn.environment_file, `${at}.environment_file`),
    secrets: stringList(fn.secrets, `${at}.secrets`),
    labels: stringMap(fn.labels, `${at}.labels`),
    annotations: stringMap(fn.annotations, `${at}.annotations`),
    readOnlyRootFilesystem: bool(fn.readonly_root_filesystem, `${at}.readonly_root_filesystem`),
  }
  const lang = optString(fn.lang, `${at}.lang`)
  if (lang) out.lang = lang === 'Dockerfile' ? 'dockerfile' : lang
  const fprocess = optString(fn.fprocess, `${at}.fprocess`)
  if (fprocess) out.fprocess = fprocess
  const limits = resources(fn.limits, `${at}.limits`)
  if (limits) out.limits = limits
  const requests = resources(fn.requests, `${at}.requests`)
  if (requests) out.requests = requests
  if (fn.constraints !== undefined && fn.constraints !== null) {
    out.constraints = stringList(fn.constraints, `${at}.constraints`)
  }
  const namespace = optString(fn.namespace, `${at}.namespace`)
  if (namespace) out.namespace = namespace
  return out
}

function mapping(value: YamlText, at: string): { [key: string]: YamlText } {
  if (value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new StackError(`${at}: must be a mapping`)
  return value
}

function optString(value: YamlText | undefined, at: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new StackError(`${at}: must be a string`)
  return value
}

function stringMap(value: YamlText | undefined, at: string): Record<string, string> {
  const map = mapping(value ?? null, at)
  const out: Record<string, string> = {}
  for (const [key, v] of Object.entries(map)) {
    if (typeof v === 'object' && v !== null) throw new StackError(`${at}.${key}: must be a string`)
    out[key] = v ?? ''
  }
  return out
}

function stringList(value: YamlText | undefined, at: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new StackError(`${at}: must be a list`)
  return value.map((v, i) => {
    if (typeof v !== 'string') throw new StackError(`${at}[${i}]: must be a string`)
    return v
  })
}

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'])
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF'])

function bool(value: YamlText | undefined, at: string): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string' && TRUE.has(value)) return true
  if (typeof value === 'string' && FALSE.has(value)) return false
  throw new StackError(`${at}: must be true or false`)
}

function resources(value: YamlText | undefined, at: string): Resources | undefined {
  if (value === undefined || value === null) return undefined
  const map = mapping(value, at)
  const out: Resources = {}
  const memory = optString(map.memory, `${at}.memory`)
  if (memory) out.memory = memory
  const cpu = optString(map.cpu, `${at}.cpu`)
  if (cpu) out.cpu = cpu
  return out
}
