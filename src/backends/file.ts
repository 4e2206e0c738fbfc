/**
 * @module
 * The backends file (EDGEFAAS_BACKENDS_FILE): backends written as YAML, in the schema of
 * `/system/backends`, upserted into the store when a Node gateway starts. `${NAME}` in any string value
 * is replaced by that environment variable, so credentials can stay out of the file (`$${` writes a
 * literal `${`). The file wins over edits made through the API for the backends it names, on every start;
 * backends it does not name are left alone. Runtime-neutral: the runtime reads the file and passes the
 * text and its environment.
 *
 * ```yaml
 * backends:
 *   - name: eu
 *     kind: openfaas
 *     url: https://gw.eu.example
 *     credentials: { username: admin, password: "${EU_PASSWORD}" }
 *     labels: { region: eu }
 *     default: true
 * ```
 */
import { parse } from 'yaml'
import type { Logger } from '../logger.ts'
import type { SecretCipher } from '../store/cipher.ts'
import type { Store } from '../store/types.ts'
import { backendWrite } from './record.ts'
import {
  issuesText,
  kindProblem,
  LOCAL_BACKEND,
  type NamedBackendInput,
  namedBackendSchema,
} from './schema.ts'

/** The file cannot be used; the message names the file's entry and field to fix. */
export class BackendsFileError extends Error {
  override name = 'BackendsFileError'
}

/** Parses and validates the file's text; throws BackendsFileError naming what to fix. */
export function parseBackendsFile(
  text: string,
  env: Record<string, string | undefined>,
  defaultNamespace: string,
): NamedBackendInput[] {
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    throw new BackendsFileError(`not valid YAML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const list = (document as { backends?: unknown } | null)?.backends
  if (document === null || typeof document !== 'object' || !Array.isArray(list)) {
    throw new BackendsFileError('expected a top-level "backends:" list (see docs/backends.md)')
  }
  const backends: NamedBackendInput[] = []
  list.forEach((entry, index) => {
    const at = `backends[${index}]`
    const parsed = namedBackendSchema.safeParse(substitute(entry, env, at))
    if (!parsed.success) throw new BackendsFileError(`${at}: ${issuesText(parsed.error)}`)
    const backend = parsed.data
    if (backend.name === LOCAL_BACKEND) {
      throw new BackendsFileError(
        `${at}: name: "local" is the built-in backend of a Node gateway; choose another name`,
      )
    }
    if (backends.some((b) => b.name === backend.name)) {
      throw new BackendsFileError(`${at}: name: backend "${backend.name}" is listed twice`)
    }
    const problem = kindProblem(backend, defaultNamespace)
    if (problem) throw new BackendsFileError(`${at}: ${problem}`)
    backends.push(backend)
  })
  const defaults = backends.filter((b) => b.default)
  if (defaults.length > 1) {
    throw new BackendsFileError(
      `more than one backend is marked "default: true" (${defaults.map((b) => b.name).join(', ')}); mark one`,
    )
  }
  return backends
}

/** Writes the file's backends into the store, each replacing any stored backend of its name. */
export async function seedBackends(
  store: Pick<Store, 'upsertBackend' | 'clearDefaultBackends'>,
  cipher: SecretCipher | null,
  backends: NamedBackendInput[],
  logger: Logger,
): Promise<void> {
  for (const backend of backends) {
    let write: Awaited<ReturnType<typeof backendWrite>>
    try {
      write = await backendWrite(backend.name, backend, {
        cipher,
        existing: null,
        keepOmittedCredentials: false,
      })
    } catch (error) {
      throw new BackendsFileError(
        `backend "${backend.name}": ${error instanceof Error ? error.message : error}`,
      )
    }
    await store.upsertBackend(write)
    if (write.isDefault) await store.clearDefaultBackends(backend.name)
    logger.info('backend from the backends file', {
      backend: backend.name,
      kind: backend.kind,
      ...(backend.kind === 'openfaas' ? { url: backend.url } : { region: backend.region }),
    })
  }
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Replaces `${NAME}` in every string of `value`; `at` is the path for messages. */
function substitute(value: unknown, env: Record<string, string | undefined>, at: string): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, name: string | undefined) => {
      if (match === '$${') return '${'
      if (name === undefined || !ENV_NAME.test(name)) {
        throw new BackendsFileError(
          `${at}: "\${…}" must hold an environment variable name such as \${EU_PASSWORD}`,
        )
      }
      const replacement = env[name]
      if (replacement === undefined) {
        throw new BackendsFileError(`${at}: environment variable ${name} is not set`)
      }
      return replacement
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, `${at}[${i}]`))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, `${at}.${k}`)]))
  }
  return value
}
