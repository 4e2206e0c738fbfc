/**
 * @module
 * The page frame every dashboard page renders into: header with the navigation and the theme toggle,
 * the flash message, the page's content. Built with hono/html's tagged template, which escapes every
 * interpolated value (function names, labels, error messages are user data); `raw` is used only for
 * markup this module writes itself.
 */
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { UiAssets } from './assets.ts'
import type { Flash } from './flash.ts'
import { NAV } from './nav.ts'

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

export interface LayoutOptions {
  title: string
  /** The NAV entry this page belongs to. */
  nav: string
  assets: UiAssets
  flash?: Flash | null
  /** Extra <head> markup (a page's chart library). */
  head?: Markup
  body: Markup
  /** Signed in with a token (the session cookie): the header offers to sign out. */
  signedIn?: boolean
}

/** htmx without eval (hx-on, js: values) and without its injected <style>, which the CSP would refuse. */
const HTMX_CONFIG = '{"allowEval":false,"includeIndicatorStyles":false,"allowScriptTags":false}'

export function layout(o: LayoutOptions): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${o.title} · edgefaas</title>
<link rel="stylesheet" href="${o.assets.url('app.css')}">
<script src="${o.assets.url('app.js')}"></script>
${o.assets.vendored ? html`<script src="${o.assets.url('htmx.js')}" defer></script>` : ''}
${o.head ?? ''}
</head>
<body>
<header class="top">
<a class="brand" href="/ui/">edgefaas</a>
<nav class="main" aria-label="Main">${NAV.map(
    (n) => html`<a href="${n.href}"${n.id === o.nav ? html` aria-current="page"` : ''}>${n.label}</a>`,
  )}</nav>
<button type="button" id="theme-toggle" class="theme-toggle">Theme</button>
${o.signedIn ? html`<form method="post" action="/ui/logout" class="inline"><button type="submit" id="logout">Sign out</button></form>` : ''}
</header>
<main>
${o.flash ? html`<div class="flash ${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}" id="flash">${o.flash.text}</div>` : ''}
${o.body}
</main>
</body>
</html>`
}
