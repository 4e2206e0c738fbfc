/**
 * @module
 * This instance's name in leases and logs: EDGEFAAS_INSTANCE_ID, or `<host>-<pid>-<random>`, so an
 * operator reading the `leases` table can tell which machine and process holds a loop, and a restarted
 * process never inherits the old one's leases by name (it waits for them to expire or be released).
 */
import { hostname } from 'node:os'

export function instanceIdFor(configured: string | undefined): string {
  if (configured) return configured
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 40) || 'host'
  return `${host}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`
}
