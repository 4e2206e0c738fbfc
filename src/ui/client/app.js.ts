/**
 * @module
 * The dashboard's own script, served as a file (the page's Content-Security-Policy allows no inline
 * script). Every page works without it; it adds: the theme toggle (remembered in localStorage),
 * confirmation before destructive forms, the function detail's live charts, log tail and invoke panel.
 * Text from the server (log lines, responses) is only ever inserted as text, never as markup.
 *
 * URLs are built from `location.origin`: a page opened as `http://user:pass@host/ui/` has the
 * credentials in its base URL, and fetch refuses URLs that carry them.
 */
export const APP_JS = `(function () {
  'use strict'
  var root = document.documentElement
  var KEY = 'edgefaas-theme'
  try { var saved = localStorage.getItem(KEY); if (saved === 'light' || saved === 'dark') root.dataset.theme = saved } catch (e) {}

  function url(path) { return location.origin + path }
  function cssVar(name) { return getComputedStyle(root).getPropertyValue(name).trim() }
  function text(el, value) { if (el) el.textContent = value }

  function setupTheme() {
    var button = document.getElementById('theme-toggle')
    if (!button) return
    var label = function () {
      var dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches
      button.textContent = dark ? 'Light theme' : 'Dark theme'
      return dark
    }
    label()
    button.addEventListener('click', function () {
      var next = label() ? 'light' : 'dark'
      root.dataset.theme = next
      try { localStorage.setItem(KEY, next) } catch (e) {}
      label()
      document.dispatchEvent(new Event('edgefaas:theme'))
    })
  }

  function setupConfirm() {
    document.addEventListener('submit', function (event) {
      var form = event.target
      var message = form && form.getAttribute && form.getAttribute('data-confirm')
      if (message && !confirm(message)) event.preventDefault()
    }, true)
  }

  // ---- charts (function detail) ----
  var CHARTS = [
    { key: 'calls', title: 'calls/s', series: [{ label: 'calls/s', field: 'calls', rate: true, color: '--accent' }] },
    { key: 'errors', title: '5xx/s', series: [{ label: 'errors/s', field: 'errors', rate: true, color: '--bad' }] },
    { key: 'latency', title: 'p95 ms', series: [{ label: 'p95 ms', field: 'p95', color: '--warn' }] },
    { key: 'replicas', title: 'replicas', series: [
      { label: 'desired', field: 'desired', color: '--muted' }, { label: 'ready', field: 'ready', color: '--ok' }] },
  ]
  function setupCharts() {
    var box = document.querySelector('[data-stats-url]')
    if (!box) return
    var source = box.getAttribute('data-stats-url')
    var plots = {}
    var last = null
    function columns(chart, stats) {
      var cols = [stats.t]
      chart.series.forEach(function (s) {
        cols.push(stats[s.field].map(function (v) { return v == null ? null : s.rate ? v / stats.slotSeconds : v }))
      })
      return cols
    }
    function draw(stats, rebuild) {
      CHARTS.forEach(function (chart) {
        var el = box.querySelector('[data-chart="' + chart.key + '"]')
        if (!el) return
        var data = columns(chart, stats)
        if (plots[chart.key] && !rebuild) { plots[chart.key].setData(data); return }
        if (plots[chart.key]) plots[chart.key].destroy()
        if (typeof uPlot !== 'function') { text(el, 'charts unavailable (uPlot not loaded)'); return }
        el.textContent = ''
        var axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--line'), width: 1 }, ticks: { stroke: cssVar('--line') } }
        plots[chart.key] = new uPlot({
          width: Math.max(200, el.clientWidth), height: 150, legend: { show: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)] } } },
          axes: [axis, Object.assign({ size: 44 }, axis)],
          series: [{}].concat(chart.series.map(function (s) {
            // p95 and replicas may be a lone slot (one burst, one change): one point, which a line would not show.
            return { label: s.label, stroke: cssVar(s.color), width: 1.5,
              points: s.field === 'calls' || s.field === 'errors' ? {} : { show: true, size: 4 },
              spanGaps: s.field !== 'calls' && s.field !== 'errors' }
          })),
        }, data, el)
      })
    }
    function poll() {
      fetch(url(source), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) { if (!res.ok) throw new Error('stats: ' + res.status); return res.json() })
        .then(function (stats) {
          last = stats
          var total = stats.calls.reduce(function (a, b) { return a + b }, 0)
          box.setAttribute('data-calls-total', String(total))
          box.setAttribute('data-errors-total', String(stats.errors.reduce(function (a, b) { return a + b }, 0)))
          draw(stats, false)
        })
        .catch(function (e) { text(box.querySelector('[data-stats-error]'), String(e.message || e)) })
    }
    poll()
    setInterval(poll, 5000)
    document.addEventListener('edgefaas:theme', function () { if (last) draw(last, true) })
    window.addEventListener('resize', function () { if (last) draw(last, true) })
  }

  // ---- log tail (function detail) ----
  function setupLogs() {
    var panel = document.querySelector('[data-logs-url]')
    if (!panel) return
    var out = panel.querySelector('pre')
    var button = panel.querySelector('[data-logs-toggle]')
    var state = panel.querySelector('[data-logs-state]')
    var controller = null
    var MAX_LINES = 1000
    function append(entry) {
      var line = document.createElement('div')
      var ts = entry.timestamp ? String(entry.timestamp).replace('T', ' ').replace(/\\.\\d+Z$/, 'Z') + ' ' : ''
      var inst = entry.instance ? '[' + entry.instance + '] ' : ''
      line.textContent = ts + inst + String(entry.text == null ? '' : entry.text).replace(/\\n$/, '')
      var atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4
      out.appendChild(line)
      while (out.childNodes.length > MAX_LINES) out.removeChild(out.firstChild)
      if (atBottom) out.scrollTop = out.scrollHeight
    }
    function stop(message) {
      if (controller) controller.abort()
      controller = null
      button.textContent = 'Follow'
      text(state, message || 'stopped')
      panel.setAttribute('data-following', 'false')
    }
    function start() {
      controller = new AbortController()
      var mine = controller
      button.textContent = 'Stop'
      text(state, 'following…')
      panel.setAttribute('data-following', 'true')
      out.textContent = ''
      fetch(url(panel.getAttribute('data-logs-url')), { credentials: 'same-origin', signal: mine.signal })
        .then(function (res) {
          if (!res.ok) return res.text().then(function (t) { throw new Error(res.status + ': ' + t) })
          var reader = res.body.getReader()
          var decoder = new TextDecoder()
          var buffer = ''
          function pump() {
            return reader.read().then(function (r) {
              if (r.done) { if (controller === mine) stop('stream ended'); return }
              buffer += decoder.decode(r.value, { stream: true })
              var lines = buffer.split('\\n')
              buffer = lines.pop()
              lines.forEach(function (l) { if (l.trim()) { try { append(JSON.parse(l)) } catch (e) { append({ text: l }) } } })
              return pump()
            })
          }
          return pump()
        })
        .catch(function (e) { if (controller === mine) stop(e.name === 'AbortError' ? 'stopped' : String(e.message || e)) })
    }
    button.addEventListener('click', function () { if (controller) stop(); else start() })
    start()
  }

  // ---- invoke panel (function detail) ----
  function setupInvoke() {
    var form = document.getElementById('invoke')
    if (!form) return
    var result = document.getElementById('invoke-result')
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      var method = form.elements.method.value
      var path = form.elements.path.value || '/'
      if (path.charAt(0) !== '/') path = '/' + path
      var headers = new Headers()
      var bad = null
      form.elements.headers.value.split('\\n').forEach(function (line) {
        if (!line.trim()) return
        var at = line.indexOf(':')
        if (at < 1) { bad = line; return }
        try { headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim()) } catch (e) { bad = line }
      })
      if (bad !== null) { text(result.querySelector('[data-status]'), 'bad header line: ' + bad); result.hidden = false; return }
      var init = { method: method, headers: headers, credentials: 'omit' }
      if (method !== 'GET' && method !== 'HEAD') init.body = form.elements.body.value
      var started = performance.now()
      text(result.querySelector('[data-status]'), 'calling…')
      result.hidden = false
      fetch(url(form.getAttribute('data-invoke-base') + path), init).then(function (res) {
        var head = performance.now() - started
        return res.text().then(function (body) {
          var total = performance.now() - started
          text(result.querySelector('[data-status]'), res.status + ' ' + res.statusText)
          result.setAttribute('data-status-code', String(res.status))
          text(result.querySelector('[data-timing]'), 'headers ' + head.toFixed(1) + ' ms, body ' + total.toFixed(1) + ' ms, ' + body.length + ' chars')
          var lines = []
          res.headers.forEach(function (v, k) { lines.push(k + ': ' + v) })
          text(result.querySelector('[data-headers]'), lines.join('\\n'))
          text(result.querySelector('[data-body]'), body)
        })
      }).catch(function (e) {
        text(result.querySelector('[data-status]'), 'request failed: ' + String(e.message || e))
      })
    })
  }

  function ready() { setupTheme(); setupConfirm(); setupCharts(); setupLogs(); setupInvoke() }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready)
  else ready()
})()
`
