/**
 * @module
 * The dashboard page, inlined so every runtime serves it without a filesystem. It talks to the same
 * REST API as faas-cli with paths relative to the page, like the OpenFaaS UI (so a path prefix added by
 * a proxy in front keeps working), resolved against the page's origin: a page opened as
 * `http://user:pass@host/ui/` has the credentials in its base URL, and fetch refuses any URL that
 * carries them ("Request cannot be constructed from a URL that includes credentials").
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgefaas</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d2430; }
  h1 { font-size: 1.4rem; } table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #e2e6ee; }
  th { background: #f4f6fa; } .muted { color: #6b7485; } select, input, button { font: inherit; }
  #error { color: #b3261e; }
</style>
</head>
<body>
<h1>edgefaas</h1>
<label>Namespace <select id="namespace"></select></label>
<span id="error" role="alert"></span>
<table>
  <thead><tr><th>Function</th><th>Image</th><th>Replicas</th><th>Ready</th><th>Created</th></tr></thead>
  <tbody id="functions"><tr><td colspan="5" class="muted">Loading…</td></tr></tbody>
</table>
<script>
const select = document.getElementById('namespace')
const rows = document.getElementById('functions')
const error = document.getElementById('error')
function cell(text) { const td = document.createElement('td'); td.textContent = text; return td }
// location.origin never carries user:pass@, unlike the document's base URL.
function apiUrl(path) { return new URL(path, location.origin + location.pathname).href }
async function getJSON(path) {
  const res = await fetch(apiUrl(path), { credentials: 'same-origin' })
  if (!res.ok) throw new Error(path + ': ' + res.status + ' ' + (await res.text()))
  return res.json()
}
async function loadNamespaces() {
  const names = await getJSON('../system/namespaces')
  select.replaceChildren(...names.map((n) => new Option(n, n)))
}
async function loadFunctions() {
  try {
    const list = await getJSON('../system/functions?namespace=' + encodeURIComponent(select.value))
    error.textContent = ''
    if (list.length === 0) {
      const tr = document.createElement('tr'); const td = cell('No functions yet: faas-cli deploy')
      td.colSpan = 5; td.className = 'muted'; tr.append(td); rows.replaceChildren(tr); return
    }
    rows.replaceChildren(...list.map((f) => {
      const tr = document.createElement('tr')
      tr.append(cell(f.name), cell(f.image), cell(String(f.replicas || 0)),
        cell(String(f.availableReplicas || 0)), cell(f.createdAt))
      return tr
    }))
  } catch (e) { error.textContent = e.message }
}
select.addEventListener('change', loadFunctions)
loadNamespaces().then(loadFunctions).catch((e) => { error.textContent = e.message })
setInterval(loadFunctions, 3500)
</script>
</body>
</html>
`
