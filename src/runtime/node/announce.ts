/**
 * @module
 * What a gateway started in the foreground prints: where it listens, and how to log in. Shared by the
 * Node and Deno entries so both print the same lines (tests and people read them).
 */
import { join } from 'node:path'
import type { Config } from '../../config.ts'
import { CREDENTIALS_FILE, type ResolvedCredentials } from './credentials.ts'

/** `http://host` as a person types it: a wildcard bind is shown as loopback, IPv6 in brackets. */
export function shownBase(host: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${shown.includes(':') ? `[${shown}]` : shown}`
}

export interface Listening {
  /** The first line's tail after the URL, e.g. the runtime's name and version. */
  suffix?: string
  release: string
  url: string
  functionsUrl: string | null
  credentials: ResolvedCredentials | null
}

/** The startup lines; a generated password is shown this once, later starts point at its file. */
export function startupLines(gateway: Listening, config: Config): string[] {
  const lines = [`edgefaas ${gateway.release} listening on ${gateway.url}${gateway.suffix ?? ''}`]
  if (gateway.functionsUrl) lines.push(`functions served on ${gateway.functionsUrl}/function/<name>`)
  else if (config.functionsHost) lines.push(`functions served for host ${config.functionsHost} only`)
  const creds = gateway.credentials
  const credentialsPath = join(config.dataDir, CREDENTIALS_FILE)
  if (!creds) {
    lines.push(
      'WARNING: authentication is off (EDGEFAAS_BASIC_AUTH=false); anyone who can reach the port is admin',
    )
  } else if (creds.source === 'generated') {
    lines.push(`admin user:     ${creds.credentials.user}`)
    lines.push(`admin password: ${creds.credentials.password}`)
    lines.push(`(saved in ${credentialsPath}; set EDGEFAAS_ADMIN_PASSWORD to choose your own)`)
  } else if (creds.source === 'data-dir') {
    lines.push(`admin user: ${creds.credentials.user} (password in ${credentialsPath})`)
  } else {
    lines.push(`admin user: ${creds.credentials.user} (password from ${creds.source})`)
  }
  if (creds) {
    lines.push(
      `log in: echo -n '<password>' | faas-cli login -g ${gateway.url} -u ${creds.credentials.user} --password-stdin`,
    )
  }
  return lines
}
