/**
 * @module
 * Helpers the command groups share: the client for a command's options, string options, the
 * namespace option.
 */
import { GatewayClient } from '../client.ts'
import type { CliIo, OptionValues } from '../command-table.ts'
import { usageError } from '../errors.ts'
import { resolveTarget } from '../target.ts'

/** `stackGateway`: a stack file's provider.gateway, which ranks below --gateway (target.ts). */
export async function clientFor(
  options: OptionValues,
  io: CliIo,
  stackGateway?: string,
): Promise<GatewayClient> {
  return new GatewayClient(await resolveTarget(options, io, stackGateway))
}

export function str(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function list(value: OptionValues[string]): string[] {
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
}

export const NAMESPACE_OPTION = {
  namespace: {
    type: 'string',
    short: 'n',
    placeholder: 'ns',
    description: "namespace (default: the gateway's)",
  },
} as const

export function wholeNumber(value: string | undefined, option: string, min = 0): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) {
    throw usageError(`--${option}: give a whole number${min > 0 ? ` of at least ${min}` : ''}`)
  }
  return Number(value)
}

/** A path segment from user input: names with `/`, `?` or `#` would change the request. */
export function segment(value: string, what: string): string {
  if (!/^[-a-zA-Z0-9_.]+$/.test(value)) {
    throw usageError(`${what} "${value}" is not valid: use letters, digits, ".", "_" and "-"`)
  }
  return value
}
