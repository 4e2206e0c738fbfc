/**
 * @module
 * `/ui/login`: sign in to the dashboard with an API token (the admin's Basic credentials need no form:
 * the browser asks for them). The token is checked as the auth middleware checks a header token, then kept
 * in the session cookie (src/auth/session-cookie.ts), which the middleware reads on every later request.
 * The route is public (it must be reachable without credentials), so it makes the cross-site check itself
 * (no other site can sign a browser in to a token of its choosing) and counts failures per address like
 * the middleware. `POST /ui/logout` drops the cookie.
 */
import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { html } from 'hono/html'
import { crossSiteRefusal } from '../../auth/cross-site.ts'
import { createLoginThrottle, type LoginThrottle } from '../../auth/login-throttle.ts'
import { SESSION_COOKIE } from '../../auth/session-cookie.ts'
import type { GatewayDeps } from '../../deps.ts'
import { setFlash } from '../flash.ts'
import { isTls } from '../request-origin.ts'
import type { UiContext, UiPage } from './types.ts'

const throttles = new WeakMap<GatewayDeps, LoginThrottle>()

function loginForm(c: Context, ui: UiContext, problem: string | null, status: 200 | 400 | 403 = 200) {
  return ui.render(c, {
    title: 'Sign in',
    nav: '',
    status,
    body: html`<h1>Sign in with an API token</h1>
${problem ? html`<div class="flash error" role="alert" id="login-error">${problem}</div>` : ''}
<form method="post" action="/ui/login" class="form-grid" id="login-form">
<label for="token">Token</label>
<div><input type="password" name="token" id="token" size="60" autocomplete="off" required placeholder="eft_…">
<div class="hint">Made with <code>POST /system/tokens</code> or <code>edgefaas token create</code>. The dashboard shows and does what its scopes and namespaces allow. Administrators can use their user name and password instead: open <a href="/ui/">/ui/</a> and the browser asks for them.</div></div>
<span></span><div><button type="submit" class="primary" id="login-submit">Sign in</button></div>
</form>`,
  })
}

async function login(c: Context, ui: UiContext): Promise<Response> {
  const refused = crossSiteRefusal(c.req.raw)
  if (refused) return refused
  const tokens = ui.deps.access.tokens
  if (ui.deps.credentials === null) return c.redirect('/ui/', 303)
  let throttle = throttles.get(ui.deps)
  if (!throttle) {
    throttle = createLoginThrottle()
    throttles.set(ui.deps, throttle)
  }
  const client = ui.deps.clientAddress(c.req.raw, c.env) ?? 'unknown'
  const before = throttle.check(client)
  if (before.locked) {
    return c.text(
      `too many failed logins from this address; try again in ${before.retryAfterSeconds} s`,
      429,
      {
        'Retry-After': String(before.retryAfterSeconds),
      },
    )
  }
  const form = await c.req.parseBody()
  const token = typeof form.token === 'string' ? form.token.trim() : ''
  throttle.failure(client)
  const grant = token ? await tokens.verify(token) : null
  if (!grant) {
    ui.deps.logger.warn('failed dashboard token login', { client })
    return loginForm(c, ui, 'That token is not valid: it is unknown, revoked or expired.', 403)
  }
  throttle.success(client)
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isTls(c.req.raw),
  })
  setFlash(c, { kind: 'info', text: `Signed in with token ${grant.id}.` })
  return c.redirect('/ui/functions', 303)
}

export const loginPage: UiPage = {
  routes: [
    {
      method: 'GET',
      path: '/ui/login',
      scope: 'read',
      where: 'none',
      handler: (c, ui) => loginForm(c, ui, null),
    },
    { method: 'POST', path: '/ui/login', scope: 'read', where: 'none', handler: login },
    {
      method: 'POST',
      path: '/ui/logout',
      scope: 'read',
      where: 'none',
      handler(c) {
        deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isTls(c.req.raw) })
        return c.redirect('/ui/login', 303)
      },
    },
  ],
}
