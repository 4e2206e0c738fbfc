/**
 * @module
 * Editing the headers of a response the gateway passes on. Responses straight from fetch (workerd) have
 * immutable headers, so they are rebuilt around the same body; the rebuild is marked
 * `encodeBody: 'manual'` so workerd sends a body that is already encoded (gzip from the function) on as it
 * came instead of encoding it again. Node ignores the option and edits in place.
 */

/** `response` after `edit` ran on its headers: in place where allowed, else on a rebuilt response. */
export function withEditedHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers)
    return response
  } catch {
    // Immutable headers throw on the first change, so nothing was applied to them.
    const headers = new Headers(response.headers)
    edit(headers)
    const init = { status: response.status, statusText: response.statusText, headers, encodeBody: 'manual' }
    return new Response(response.body, init as ResponseInit)
  }
}
