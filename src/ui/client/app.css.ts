/**
 * @module
 * The dashboard's style sheet: dense tables, system fonts, light and dark themes from CSS variables. The
 * theme follows `prefers-color-scheme` unless the toggle set `data-theme` on <html> (remembered in
 * localStorage by app.js).
 */
export const APP_CSS = `
:root{--bg:#fff;--fg:#1b2230;--muted:#667085;--line:#e4e7ec;--panel:#f6f7f9;--accent:#2457d6;--accent-fg:#fff;
--ok:#15803d;--warn:#b45309;--bad:#c0262d;--code:#f1f3f6;color-scheme:light}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#0f1218;--fg:#e4e7ee;--muted:#9aa3b2;
--line:#262c36;--panel:#161a22;--accent:#6d96ff;--accent-fg:#0b0e14;--ok:#4ade80;--warn:#fbbf24;--bad:#f87171;
--code:#1b2029;color-scheme:dark}}
:root[data-theme=dark]{--bg:#0f1218;--fg:#e4e7ee;--muted:#9aa3b2;--line:#262c36;--panel:#161a22;--accent:#6d96ff;
--accent-fg:#0b0e14;--ok:#4ade80;--warn:#fbbf24;--bad:#f87171;--code:#1b2029;color-scheme:dark}
*{box-sizing:border-box}
html,body{margin:0;background:var(--bg);color:var(--fg);font:13px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
header.top{display:flex;align-items:center;gap:1rem;padding:.45rem 1rem;border-bottom:1px solid var(--line);background:var(--panel)}
header.top .brand{font-weight:650;color:var(--fg);letter-spacing:.01em}
nav.main{display:flex;gap:.15rem;flex-wrap:wrap;flex:1}
nav.main a{padding:.25rem .55rem;border-radius:4px;color:var(--muted)}
nav.main a[aria-current=page]{background:var(--bg);color:var(--fg);box-shadow:inset 0 0 0 1px var(--line)}
main{padding:.9rem 1rem 2rem;max-width:1400px}
h1{font-size:1.15rem;margin:.1rem 0 .6rem}h2{font-size:.95rem;margin:1.2rem 0 .45rem}
.toolbar{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin-bottom:.6rem}
.toolbar .grow{flex:1}
table.grid{border-collapse:collapse;width:100%}
table.grid th,table.grid td{text-align:left;padding:.28rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
table.grid th{font-weight:600;color:var(--muted);background:var(--panel);position:sticky;top:0}
table.grid td.num,table.grid th.num{text-align:right;font-variant-numeric:tabular-nums}
table.grid td.wrap{white-space:normal;word-break:break-word}
table.grid tr:hover td{background:var(--panel)}
.muted{color:var(--muted)}.small{font-size:12px}
.badge{display:inline-block;padding:0 .4rem;border-radius:9px;font-size:11px;line-height:1.5;border:1px solid currentColor}
.badge.ok{color:var(--ok)}.badge.warn{color:var(--warn)}.badge.bad{color:var(--bad)}.badge.idle{color:var(--muted)}
.flash{padding:.45rem .7rem;border-radius:4px;margin-bottom:.7rem;border:1px solid}
.flash.info{border-color:var(--ok);color:var(--ok)}.flash.error{border-color:var(--bad);color:var(--bad)}
.field-error{color:var(--bad);font-size:12px;margin-top:.15rem}
input,select,textarea,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:.25rem .45rem}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:12px}
button,.button{cursor:pointer;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:.25rem .6rem;display:inline-block}
button.primary,.button.primary{background:var(--accent);color:var(--accent-fg);border-color:var(--accent)}
button.danger{color:var(--bad);border-color:var(--bad)}
form.inline{display:inline-flex;gap:.35rem;align-items:center;margin:0}
.form-grid{display:grid;grid-template-columns:11rem 1fr;gap:.45rem .8rem;max-width:900px;align-items:start}
.form-grid label{padding-top:.3rem;font-weight:550}
.form-grid .hint{color:var(--muted);font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:.8rem}
.cards.four{grid-template-columns:repeat(auto-fill,minmax(270px,1fr))}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .7rem;background:var(--bg);min-width:0}
.card h3{margin:0 0 .35rem;font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.chart{min-height:150px}.chart .u-legend{font-size:11px;color:var(--muted)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem}.kv dt{color:var(--muted)}.kv dd{margin:0;word-break:break-word}
pre.log{background:var(--code);padding:.5rem;border-radius:4px;max-height:320px;overflow:auto;margin:0;white-space:pre-wrap;word-break:break-word}
pre.out{background:var(--code);padding:.5rem;border-radius:4px;max-height:260px;overflow:auto;margin:.3rem 0 0;white-space:pre-wrap;word-break:break-word}
.pager{display:flex;gap:.5rem;align-items:center;margin-top:.6rem}
.theme-toggle{margin-left:auto}
dialog{border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
@media (max-width:700px){.form-grid{grid-template-columns:1fr}table.grid td,table.grid th{white-space:normal}}
`
