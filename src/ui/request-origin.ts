/**
 * @module
 * Whether the browser reached the gateway over TLS (directly or through a proxy that says so), for the
 * `Secure` attribute of the dashboard's cookies.
 */
export function isTls(request: Request): boolean {
  if (new URL(request.url).protocol === 'https:') return true
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  return forwarded === 'https'
}
