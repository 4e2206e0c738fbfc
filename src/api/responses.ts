/**
 * @module
 * Small shared responses: 405 and 404 in gorilla/mux's shapes, which clients of the OpenFaaS gateway see.
 */
import type { Context } from 'hono'

/** A path that exists with another method: 405 with an empty body. */
export const methodNotAllowed = (c: Context) => c.body(null, 405)

/** No route: 404 `404 page not found`. */
export const pageNotFound = (c: Context) => c.text('404 page not found\n', 404)
