/**
 * @module
 * Message metadata as request headers: a source's attribute or header becomes `<prefix><name>` only when
 * its name is an HTTP token (at most 100 characters) and its value has no CR, LF or NUL and is at most
 * 4 KiB; others are left out. The prefix keeps a message from setting headers with a meaning to the
 * gateway or the function's runtime (`Authorization`, `X-Call-Id`, `X-Callback-Url`).
 */
const NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/
const VALUE = /^[^\r\n\0]{0,4096}$/

/** `[<prefix><lower-case name>, value]`, or null when the pair cannot be a header. */
export function metadataHeader(prefix: string, name: string, value: string): [string, string] | null {
  return NAME.test(name) && VALUE.test(value) ? [`${prefix}${name.toLowerCase()}`, value] : null
}
