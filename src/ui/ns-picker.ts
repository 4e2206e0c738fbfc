/**
 * @module
 * The namespace chooser of namespaced pages. The list of names comes from `GET /system/namespaces`
 * called with the caller's credentials: a token limited to some namespaces is not shown the others'
 * names (that route needs every namespace), it just gets a text field.
 */
import type { Context } from 'hono'
import { html } from 'hono/html'
import type { Markup } from './layout.ts'
import type { UiContext } from './pages/types.ts'

export async function visibleNamespaces(c: Context, ui: UiContext): Promise<string[] | null> {
  const answer = await ui.api(c, 'GET', '/system/namespaces')
  if (!answer.ok) return null
  try {
    const names: unknown = JSON.parse(answer.text)
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : null
  } catch {
    return null
  }
}

/** A GET form: works without script; `extra` keeps other query parameters (a filter). */
export function namespacePicker(
  action: string,
  current: string,
  names: string[] | null,
  extra: Markup | '' = '',
): Markup {
  const field =
    names && names.length > 0
      ? html`<select name="namespace" id="namespace" aria-label="Namespace">${names.map(
          (n) => html`<option value="${n}"${n === current ? html` selected` : ''}>${n}</option>`,
        )}</select>`
      : html`<input name="namespace" id="namespace" aria-label="Namespace" value="${current}" size="16">`
  return html`<form method="get" action="${action}" class="inline"><label class="muted" for="namespace">Namespace</label>${field}${extra}<button type="submit">Show</button></form>`
}
