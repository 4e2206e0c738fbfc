/**
 * @module
 * The gateway's API over fetch, with the credentials of the target (target.ts). A failed call becomes a
 * CliError carrying the gateway's own message and what to do: log in on a 401, check the URL when the
 * gateway cannot be reached.
 */
import { Agent, fetch as undiciFetch } from 'undici'
import { RELEASE } from '../version.ts'
import { CliError } from './errors.ts'
import type { Target } from './target.ts'

export interface RequestOptions {
  json?: unknown
  body?: Uint8Array | string
  query?: Record<string, string | undefined>
  headers?: Record<string, string>
  /** Send the admin credentials (every `/system/*` call); invocations go without, as with faas-cli. */
  credentials?: boolean
  /** Statuses handed back to the caller instead of thrown (e.g. 404 on PUT to fall back to POST). */
  allow?: number[]
  /** No deadline (a followed log stream). */
  stream?: boolean
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 60_000

export class GatewayClient {
  readonly target: Target
  /** Set only with --tls-no-verify: a connection pool that accepts any certificate. */
  readonly #insecure: Agent | undefined
  constructor(target: Target) {
    this.target = target
    this.#insecure = target.insecure ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined
  }

  get gateway(): string {
    return this.target.gateway
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(`${this.target.gateway}${path}`)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, value)
    }
    const headers = new Headers(options.headers)
    if (!headers.has('user-agent')) headers.set('user-agent', `edgefaas-cli/${RELEASE}`)
    if (options.credentials !== false) {
      const auth = this.target.auth
      if (auth?.kind === 'basic') {
        headers.set(
          'authorization',
          `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`,
        )
      } else if (auth?.kind === 'bearer') {
        headers.set('authorization', `Bearer ${auth.token}`)
      }
    }
    let body = options.body
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(options.json)
    }
    let response: Response
    try {
      const init = {
        method,
        headers,
        ...(body !== undefined ? { body, duplex: 'half' } : {}),
        ...(options.stream ? {} : { signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) }),
        redirect: 'manual',
      } as RequestInit
      response = this.#insecure
        ? ((await undiciFetch(url, {
            ...(init as Parameters<typeof undiciFetch>[1]),
            dispatcher: this.#insecure,
          })) as unknown as Response)
        : await fetch(url, init)
    } catch (error) {
      throw this.unreachable(error)
    }
    if (response.ok || options.allow?.includes(response.status)) return response
    throw await this.failure(method, path, response)
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options)
    const text = await response.text()
    try {
      return JSON.parse(text) as T
    } catch {
      throw new CliError(
        `${method} ${this.target.gateway}${path} answered ${response.status} with a body that is not JSON; is ${this.target.gateway} an OpenFaaS gateway?`,
      )
    }
  }

  private unreachable(error: unknown): CliError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    if ((error as Error).name === 'TimeoutError') {
      return new CliError(`the gateway at ${this.target.gateway} did not answer in time; is it overloaded?`)
    }
    const code = cause?.code ?? cause?.message ?? (error as Error).message
    const reason =
      code === 'bad port'
        ? `${new URL(this.target.gateway).port} is a port fetch refuses to use`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `${code}: the host name does not resolve`
          : code
    return new CliError(
      `cannot reach the gateway at ${this.target.gateway} (${reason}); is it running? Point to another with --gateway or OPENFAAS_URL`,
    )
  }

  private async failure(method: string, path: string, response: Response): Promise<CliError> {
    const text = (await response.text().catch(() => '')).trim().slice(0, 2000)
    const said = text ? `: ${text}` : ''
    if (response.status === 401) {
      const hint =
        this.target.auth === null
          ? `no credentials are saved for ${this.target.gateway}; log in with \`edgefaas login -g ${this.target.gateway} --password-stdin\` (or set OPENFAAS_TOKEN)`
          : `the credentials from ${this.target.authSource} were refused; log in again with \`edgefaas login -g ${this.target.gateway} --password-stdin\``
      return new CliError(`${method} ${path}: 401 unauthorized${said}; ${hint}`)
    }
    if (response.status === 403) {
      return new CliError(
        `${method} ${path}: 403 forbidden${said}; the token lacks the scope for this action`,
      )
    }
    if (response.status >= 300 && response.status < 400) {
      return new CliError(
        `${method} ${path}: ${response.status} redirect to ${response.headers.get('location') ?? '?'}; use that URL as --gateway`,
      )
    }
    return new CliError(`${method} ${path}: ${response.status}${said}`)
  }
}
