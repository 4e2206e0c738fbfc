/**
 * @module
 * Which gateway a command talks to, and with which credentials, by faas-cli's rules (contract §6.1):
 * the URL from `--gateway`, else the stack file's `provider.gateway`, else `OPENFAAS_URL`, else
 * http://127.0.0.1:8080 (a flag or stack value equal to that default does not count), lower-cased,
 * without trailing slashes, `http://` added when no scheme is given. Credentials from `--token`, else
 * `OPENFAAS_TOKEN`, else the config file entry `faas-cli login` or `edgefaas login` saved for that URL.
 */
import type { CliIo, OptionValues } from './command-table.ts'
import { configPath, lookupAuth, type SavedAuth } from './config-file.ts'

export const DEFAULT_GATEWAY = 'http://127.0.0.1:8080'

export interface Target {
  gateway: string
  auth: SavedAuth | null
  /** Where the credentials came from, for error messages. */
  authSource: string
  configFile: string
  /** `--tls-no-verify`: accept any certificate (a self-signed gateway on a trusted network). */
  insecure?: boolean
}

export function normaliseGateway(url: string): string {
  let gateway = url.trim().toLowerCase().replace(/\/+$/, '')
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(gateway)) gateway = `http://${gateway}`
  return gateway
}

export function chooseGateway(flag: string | undefined, stack: string | undefined, env: string | undefined) {
  const given = (value: string | undefined) =>
    value !== undefined && value !== '' && normaliseGateway(value) !== DEFAULT_GATEWAY
  if (given(flag)) return normaliseGateway(flag ?? '')
  if (given(stack)) return normaliseGateway(stack ?? '')
  if (env) return normaliseGateway(env)
  return DEFAULT_GATEWAY
}

export async function resolveTarget(
  options: OptionValues,
  io: CliIo,
  stackGateway?: string,
): Promise<Target> {
  const gateway = chooseGateway(str(options.gateway), stackGateway, io.env.OPENFAAS_URL)
  const file = configPath(io.env, io.cwd)
  const insecure = options['tls-no-verify'] === true
  if (insecure) {
    io.stderr.write(
      'WARNING! --tls-no-verify: the gateway certificate is not checked; prefer NODE_EXTRA_CA_CERTS=ca.pem\n',
    )
  }
  const target = await credentials(options, io, gateway, file)
  return insecure ? { ...target, insecure } : target
}

async function credentials(options: OptionValues, io: CliIo, gateway: string, file: string): Promise<Target> {
  const token = str(options.token)
  if (token) return { gateway, auth: { kind: 'bearer', token }, authSource: '--token', configFile: file }
  if (io.env.OPENFAAS_TOKEN) {
    return {
      gateway,
      auth: { kind: 'bearer', token: io.env.OPENFAAS_TOKEN },
      authSource: 'OPENFAAS_TOKEN',
      configFile: file,
    }
  }
  const saved = await lookupAuth(file, gateway)
  return { gateway, auth: saved, authSource: saved ? file : 'none', configFile: file }
}

function str(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** Options every command that talks to a gateway takes. */
export const GATEWAY_OPTIONS = {
  gateway: {
    type: 'string',
    short: 'g',
    placeholder: 'url',
    description:
      'gateway URL (default: the stack file provider.gateway, $OPENFAAS_URL, http://127.0.0.1:8080)',
  },
  token: {
    type: 'string',
    short: 'k',
    placeholder: 'token',
    description: 'API token sent as a bearer token (default: $OPENFAAS_TOKEN, then the saved login)',
  },
  'tls-no-verify': {
    type: 'boolean',
    description: "do not check the gateway's TLS certificate (prefer NODE_EXTRA_CA_CERTS)",
  },
} as const
