/**
 * @module
 * `login` checks credentials against the gateway (`GET /system/functions` must answer 200, as faas-cli
 * checks) and saves them in faas-cli's config file, so faas-cli and edgefaas share one login;
 * `logout` forgets them. A password on the command line lands in shell history: prefer
 * `--password-stdin`.
 */
import { GatewayClient } from '../client.ts'
import type { CommandSpec } from '../command-table.ts'
import { configPath, removeAuth, type SavedAuth, saveAuth } from '../config-file.ts'
import { CliError, usageError } from '../errors.ts'
import { readStdinText } from '../stdin.ts'
import { chooseGateway, GATEWAY_OPTIONS } from '../target.ts'

export const loginCommands: CommandSpec[] = [
  {
    name: 'login',
    summary: "check credentials with the gateway and save them (faas-cli's ~/.openfaas/config.yml)",
    details:
      'Examples:\n  echo -n "$PASSWORD" | edgefaas login -g https://gw.example --password-stdin\n  echo -n "$TOKEN" | edgefaas login -g https://gw.example --token-stdin',
    options: {
      gateway: {
        type: 'string',
        short: 'g',
        placeholder: 'url',
        description: 'gateway URL (default $OPENFAAS_URL, http://127.0.0.1:8080)',
      },
      username: { type: 'string', short: 'u', placeholder: 'user', description: 'user name (default admin)' },
      password: {
        type: 'string',
        short: 'p',
        placeholder: 'password',
        description: 'password (visible in shell history: prefer --password-stdin)',
      },
      'password-stdin': { type: 'boolean', short: 's', description: 'read the password from stdin' },
      'token-stdin': {
        type: 'boolean',
        description: 'read an API token from stdin; it is sent as a bearer token',
      },
      'tls-no-verify': GATEWAY_OPTIONS['tls-no-verify'],
    },
    async run({ options, io }) {
      const gateway = chooseGateway(str(options.gateway), undefined, io.env.OPENFAAS_URL)
      const ways = [
        options.password !== undefined,
        options['password-stdin'] === true,
        options['token-stdin'] === true,
      ]
      if (ways.filter(Boolean).length !== 1) {
        throw usageError('give exactly one of --password-stdin, --token-stdin or --password')
      }
      let auth: SavedAuth
      if (options['token-stdin'] === true) {
        const token = (await readStdinText(io)).trim()
        if (!token) throw usageError('--token-stdin: stdin was empty; pipe the token in')
        auth = { kind: 'bearer', token }
      } else {
        if (options.password !== undefined) {
          io.stderr.write('WARNING! Using --password is insecure, consider using: --password-stdin\n')
        }
        const password =
          options['password-stdin'] === true ? (await readStdinText(io)).trim() : String(options.password)
        if (!password) throw usageError('the password is empty')
        auth = { kind: 'basic', user: str(options.username) || 'admin', password }
      }
      const file = configPath(io.env, io.cwd)
      const client = new GatewayClient({
        gateway,
        auth,
        insecure: options['tls-no-verify'] === true,
        authSource: 'the credentials given',
        configFile: file,
      })
      const response = await client.request('GET', '/system/functions', { allow: [401, 403] })
      await response.body?.cancel()
      if (response.status === 401) {
        throw new CliError(`${gateway} refused these credentials (401); nothing was saved`)
      }
      await saveAuth(file, gateway, auth)
      const scoped = response.status === 403 ? ' (the token cannot list functions; it was saved anyway)' : ''
      io.stdout.write(
        `Credentials saved for ${auth.kind === 'basic' ? auth.user : 'the token'} on ${gateway} in ${file}${scoped}\n`,
      )
    },
  },
  {
    name: 'logout',
    summary: 'forget the credentials saved for a gateway',
    options: {
      gateway: {
        type: 'string',
        short: 'g',
        placeholder: 'url',
        description: 'gateway URL (default $OPENFAAS_URL, http://127.0.0.1:8080)',
      },
    },
    async run({ options, io }) {
      const gateway = chooseGateway(str(options.gateway), undefined, io.env.OPENFAAS_URL)
      const file = configPath(io.env, io.cwd)
      if (!(await removeAuth(file, gateway))) {
        throw new CliError(`no credentials are saved for ${gateway} in ${file}`)
      }
      io.stdout.write(`Credentials removed for ${gateway}\n`)
    },
  },
]

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
