/**
 * @module
 * Paging for long tables: parse `?page=&per=` leniently (a bad value falls back to the default, a page
 * past the end to the last page) and render the pager, keeping the page's other query parameters.
 */
import { html } from 'hono/html'
import type { Markup } from './layout.ts'

export interface Page<T> {
  items: T[]
  page: number
  per: number
  pages: number
  total: number
}

export const PER_PAGE_CHOICES = [25, 50, 100, 200] as const

export function paginate<T>(
  all: readonly T[],
  query: { page?: string; per?: string },
  defaultPer = 50,
): Page<T> {
  const perAsked = Number(query.per)
  const per = (PER_PAGE_CHOICES as readonly number[]).includes(perAsked) ? perAsked : defaultPer
  const pages = Math.max(1, Math.ceil(all.length / per))
  const asked = Number(query.page)
  const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, pages) : 1
  return { items: all.slice((page - 1) * per, page * per), page, per, pages, total: all.length }
}

/** `base` is the page's path; `keep` its other query parameters (namespace, filter). */
export function pager(p: Page<unknown>, base: string, keep: Record<string, string | undefined>): Markup {
  if (p.pages <= 1) return html`<div class="pager muted small">${p.total} total</div>`
  const link = (page: number) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(keep)) if (v) q.set(k, v)
    q.set('page', String(page))
    q.set('per', String(p.per))
    return `${base}?${q}`
  }
  return html`<nav class="pager small" aria-label="Pages">
${p.page > 1 ? html`<a href="${link(p.page - 1)}" rel="prev">← previous</a>` : html`<span class="muted">← previous</span>`}
<span>page ${p.page} of ${p.pages} · ${p.total} total</span>
${p.page < p.pages ? html`<a href="${link(p.page + 1)}" rel="next">next →</a>` : html`<span class="muted">next →</span>`}
</nav>`
}
