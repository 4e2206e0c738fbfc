/**
 * @module
 * Reads for the operations pages (backends, domains, async calls, dead letters, secrets, namespaces):
 * the REST API called in-process with the caller's credentials (api-client.ts), its JSON parsed. A page
 * therefore shows exactly what the caller could read with curl — a token without the `secrets` scope
 * sees the API's 403 message, not the secret names — and the API's refusal text is what the page shows.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { Markup } from './layout.ts'
import type { RenderOptions, UiContext } from './pages/types.ts'

export type ApiRead<T> = { ok: true; data: T } | { ok: false; status: number; message: string }

export async function apiRead<T>(c: Context, ui: UiContext, path: string): Promise<ApiRead<T>> {
  const answer = await ui.api(c, 'GET', path)
  if (!answer.ok) return { ok: false, status: answer.status, message: answer.text || `HTTP ${answer.status}` }
  try {
    return { ok: true, data: JSON.parse(answer.text) as T }
  } catch {
    return { ok: false, status: 502, message: `the API answered ${path} with something other than JSON` }
  }
}

const PAGE_STATUSES = [400, 403, 404, 409, 422, 500, 502, 503] as const

/** The status a page answers for an API refusal: the API's own where the layout allows it. */
export function pageStatus(status: number): NonNullable<RenderOptions['status']> {
  return (PAGE_STATUSES as readonly number[]).includes(status)
    ? (status as (typeof PAGE_STATUSES)[number])
    : 502
}

/** The API's refusal as the page's content (escaped: it may quote what the caller typed). */
export function refusal(title: string, message: string, extra: Markup | '' = ''): Markup {
  return html`<h1>${title}</h1><div class="flash error" role="alert" id="refusal">${message}</div>${extra}`
}

/** `2026-12-01 10:00:00Z` in a <time> element whose title is the full ISO time; `—` for none. */
export function when(iso: string | null | undefined): Markup | string {
  if (!iso) return '—'
  return html`<time datetime="${iso}" title="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`
}

/** A query string of the given non-empty values, with a leading `?` (or nothing). */
export function queryOf(values: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value) q.set(key, value)
  const text = q.toString()
  return text ? `?${text}` : ''
}

/** A trimmed query parameter, undefined when absent or blank. */
export function queryParam(c: Context, name: string): string | undefined {
  const value = c.req.query(name)?.trim()
  return value ? value : undefined
}

/**
 * A GET form filtering a cross-namespace list by namespace, with "all namespaces" first (the lists of
 * backends' domains, calls and dead letters span namespaces); `names` null (a token that may not list
 * namespaces) gives a text field. `extra` holds the page's other filters.
 */
export function namespaceFilter(
  action: string,
  current: string | undefined,
  names: string[] | null,
  extra: Markup | '' = '',
): Markup {
  const field =
    names && names.length > 0
      ? html`<select name="namespace" id="namespace" aria-label="Namespace"><option value="">all namespaces</option>${names.map(
          (n) => html`<option value="${n}"${n === current ? html` selected` : ''}>${n}</option>`,
        )}</select>`
      : html`<input name="namespace" id="namespace" aria-label="Namespace" value="${current ?? ''}" size="16" placeholder="namespace">`
  return html`<form method="get" action="${action}" class="inline" id="filters"><label class="muted" for="namespace">Namespace</label>${field}${extra}<button type="submit">Show</button></form>`
}

/**
 * Whether a call id can be a path segment: the gateway refuses encoded `/` and `\` in paths (the path
 * check, src/routing/clean-path.ts), so a caller-chosen X-Call-Id holding one is listed without a link.
 */
export function addressable(id: string): boolean {
  return !/[/\\]/.test(id) && id !== '.' && id !== '..'
}
