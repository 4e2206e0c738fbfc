/**
 * @module
 * The caller's address on Deno, as `ip:port` (Go's RemoteAddr form, which OpenFaaS puts in
 * X-Forwarded-For), from the connection info `Deno.serve` hands the handler, passed on as `env`.
 */
export function clientAddress(_request: Request, env: unknown): string | undefined {
  const remote = (env as Partial<Deno.ServeHandlerInfo> | undefined)?.remoteAddr
  if (!remote?.hostname) return undefined
  const ip = remote.hostname.includes(':') ? `[${remote.hostname}]` : remote.hostname
  return `${ip}:${remote.port}`
}
