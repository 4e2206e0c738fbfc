/**
 * @module
 * Splitting a request URL without building a URL object, which costs microseconds per call on the hot path.
 * Request URLs reaching the app are absolute (`http://host/path?query`).
 */

/** pathname and search of an absolute URL without building a URL object (hot path). */
export function splitUrl(url: string): { pathname: string; search: string } {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const query = url.indexOf('?', start)
  const hash = url.indexOf('#', start)
  const end = hash === -1 ? url.length : hash
  if (query === -1 || query > end) return { pathname: url.slice(start, end), search: '' }
  return { pathname: url.slice(start, query), search: url.slice(query, end) }
}
