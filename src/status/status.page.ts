import { document, html, pageHeaders } from '../html/html.template.js';

/** How often the page asks for /status.json. */
export const REFRESH_MS = 2_000;
/** How long one refresh may stay out before it is abandoned. */
const GIVE_UP_MS = 5 * REFRESH_MS;

// The header and the figures may break anywhere: a service name with no hyphen or space
// (com.example.payments.frontend) ran past a phone's screen, which widened the page to fit it.
const STYLE = `
header{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px;margin-top:10px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 10px}
section h2{margin:0 0 6px;font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
td,th{font-variant-numeric:tabular-nums}td:first-child{overflow-wrap:anywhere}
#stale{display:none}#stale.on{display:inline}
.wide{grid-column:1/-1}#checks td:last-child{overflow-wrap:anywhere}
`;

// Renders every field with textContent: codes and backend names cannot inject markup. Its URLs
// are relative, as the page's links are: behind a path prefix (kubectl proxy's
// …/pods/<pod>:9090/proxy/, an ingress rule) an absolute one leaves the prefix.
const SCRIPT = `
const $ = (id) => document.getElementById(id);
const set = (id, text) => { $(id).textContent = text; };
const pct = (r) => r === null || r === undefined ? '—' : (r * 100).toFixed(1) + ' %';
const num = (n) => n === null || n === undefined ? '—' : String(n);
const both = (c) => c ? c.recent + ' recent / ' + c.total + ' total' : '0';
const dur = (s) => { const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's'; };
function rows(id, list, cells) {
  const body = $(id); body.replaceChildren();
  for (const item of list) {
    const tr = document.createElement('tr');
    for (const [text, cls] of cells(item)) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.append(td); }
    body.append(tr);
  }
}
// Read as the admin guard reads it: '+' is a plus (URLSearchParams would make it a space).
const rawToken = (/[?&]token=([^&]*)/.exec(location.search) || [])[1];
if (rawToken) try { $('tracez-link').href += '?token=' + encodeURIComponent(decodeURIComponent(rawToken)); } catch {}
// A process that hangs (frozen, its loop blocked, a port-forward stuck) neither answers nor
// fails: a refresh still out at the next one shows the figures stale, and one out for
// ${GIVE_UP_MS / 1000} s is given up so that the next can reach a process that came back.
let out = false;
async function refresh() {
  if (out) { $('stale').className = 'on'; return; }
  out = true;
  try {
    const res = await fetch('status.json', { cache: 'no-store', signal: AbortSignal.timeout(${GIVE_UP_MS}) });
    if (!res.ok) throw new Error(String(res.status));
    const s = await res.json();
    set('service', s.service); set('version', 'v' + s.version); set('pod', s.pod);
    set('uptime', dur(s.uptimeSeconds)); set('node', s.nodeVersion); set('window', s.windowSeconds + ' s');
    const r = s.readiness, away = r.checks.filter((c) => c.status !== 'up');
    set('readiness', away.length ? (r.ready ? 'degraded: ' : 'not ready: ') + away.map((c) => c.name).join(', ') : 'ready, every check up');
    $('readiness').className = away.length ? (r.ready ? 'warn' : 'bad') : 'ok';
    rows('checks', r.checks, (c) => [[c.name], [c.status, c.status === 'up' ? 'ok' : c.status === 'down' ? 'bad' : 'warn'], [c.detail]]);
    const a = s.requests.admission;
    set('in-flight', s.requests.inFlight);
    set('admission-limit', a.enabled ? a.limit : 'off (' + a.limit + ')');
    set('admission-queued', a.queued);
    set('refusals', Object.entries(a.refusals).map(([k, c]) => k + ': ' + both(c)).join(', ') || '0');
    set('connections', a.connections + (a.holdingConnections ? ' (held: new connects refused)' : ''));
    $('connections').className = a.holdingConnections ? 'bad' : 'ok';
    const d = s.database;
    set('db-in-use', num(d.inUse) + ' / ' + num(d.max)); set('db-idle', num(d.idle)); set('db-waiting', num(d.waiting));
    set('db-p99', d.acquireP99 ? (d.acquireP99.above ? '> ' : '≤ ') + d.acquireP99.ms + ' ms' : '—');
    set('db-breaker', num(d.breaker)); $('db-breaker').className = d.breaker === 'open' ? 'bad' : 'ok';
    rows('upstreams', s.upstreams, (u) => [[u.backend], [u.state, u.state === 'closed' ? 'ok' : 'bad'],
      [Object.entries(u.outcomes).map(([k, c]) => k + ' ' + c.recent + ' (' + c.total + ')').join(', ') || 'no calls']]);
    set('upstreams-none', s.upstreams.length ? '' : 'No backends (BACKEND_URLS is empty).');
    set('cache-ratio', pct(s.cache.recentHitRatio) + ' recent, ' + pct(s.cache.hitRatio) + ' since start');
    set('cache-reads', Object.entries(s.cache.results).map(([k, c]) => k + ' ' + c.total).join(', ') || 'no reads');
    set('loop-utilization', pct(s.eventLoop.utilization));
    set('loop-delay', s.eventLoop.delayMaxMs.toFixed(1) + ' ms max, ' + s.eventLoop.delayMeanMs.toFixed(1) + ' ms mean');
    rows('errors', s.errors, (e) => [[e.code], [String(e.recent)], [String(e.total)]]);
    set('errors-none', s.errors.length ? '' : 'No error answers since start.');
    const t = s.traces;
    set('traces', t ? t.held + ' of ' + t.capacity + ' spans held (~' + (t.approxBytes / 1048576).toFixed(1) + ' MB), ' + t.recorded + ' recorded' : 'off');
    set('updated', new Date().toLocaleTimeString()); $('stale').className = '';
  } catch (e) {
    $('stale').className = 'on';
  } finally {
    out = false;
  }
}
// Polls only while seen: a tab left behind another, or on a locked phone, asked the pod for
// figures all day. Shown again, it catches up at once rather than an interval later.
let timer;
function follow() {
  clearInterval(timer);
  if (document.hidden) return;
  refresh();
  timer = setInterval(refresh, ${REFRESH_MS});
}
document.addEventListener('visibilitychange', follow);
follow();
`;

/**
 * The admin status page: a shell whose figures come from /status.json, fetched on load and every
 * REFRESH_MS while the page is shown (hidden, it asks nothing: it costs nothing while nobody looks).
 */
/** The status page's headers: its CSP allows this page's one script. */
export const STATUS_PAGE_HEADERS = pageHeaders(SCRIPT);

export function statusPage(): string {
  const dd = (id: string) => html`<dd id="${id}" data-testid="${id}">&hellip;</dd>`;
  const body = html`<header>
      <h1><span id="service">rampart</span> <span id="version" class="muted"></span></h1>
      <span>pod <b id="pod" data-testid="pod"></b></span
      ><span>up <span id="uptime" data-testid="uptime"></span></span>
      <span class="muted"
        >node <span id="node"></span> &middot; updated
        <span id="updated" data-testid="updated">never</span>
        <span id="stale" class="bad"
          >&middot; stale: the last refresh failed or has not answered</span
        ></span
      >
    </header>
    <noscript>
      <p class="bad" data-testid="noscript">
        This page fills its figures in with JavaScript, which is off: the same figures are at
        <a href="status.json">/status.json</a>.
      </p>
    </noscript>
    <p><b id="readiness" data-testid="readiness">&hellip;</b></p>
    <p class="muted">
      &ldquo;recent&rdquo; = the last <span id="window">0 s</span> (up to 60 s while this page is
      open). <a id="tracez-link" href="debug/tracez">traces</a> &middot;
      <a href="metrics">metrics</a>
    </p>
    <div class="cards">
      <section class="wide">
        <h2>Readiness</h2>
        <table>
          <thead>
            <tr>
              <th>check</th>
              <th>state</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody id="checks" data-testid="checks"></tbody>
        </table>
      </section>
      <section>
        <h2>Requests</h2>
        <dl>
          <dt>in flight</dt>
          ${dd('in-flight')}
          <dt>admission limit</dt>
          ${dd('admission-limit')}
          <dt>queued</dt>
          ${dd('admission-queued')}
          <dt>refusals</dt>
          ${dd('refusals')}
          <dt>connections</dt>
          ${dd('connections')}
        </dl>
      </section>
      <section>
        <h2>Database pool</h2>
        <dl>
          <dt>in use / max</dt>
          ${dd('db-in-use')}
          <dt>idle</dt>
          ${dd('db-idle')}
          <dt>waiting</dt>
          ${dd('db-waiting')}
          <dt>acquire p99</dt>
          ${dd('db-p99')}
          <dt>breaker</dt>
          ${dd('db-breaker')}
        </dl>
      </section>
      <section>
        <h2>Upstreams</h2>
        <table>
          <thead>
            <tr>
              <th>backend</th>
              <th>breaker</th>
              <th>outcomes recent (total)</th>
            </tr>
          </thead>
          <tbody id="upstreams" data-testid="upstreams"></tbody>
        </table>
        <p id="upstreams-none" class="muted"></p>
      </section>
      <section>
        <h2>Cache</h2>
        <dl>
          <dt>hit ratio</dt>
          ${dd('cache-ratio')}
          <dt>reads</dt>
          ${dd('cache-reads')}
        </dl>
      </section>
      <section>
        <h2>Event loop</h2>
        <dl>
          <dt>utilization</dt>
          ${dd('loop-utilization')}
          <dt>delay (last 100 ms)</dt>
          ${dd('loop-delay')}
        </dl>
      </section>
      <section>
        <h2>Errors by code</h2>
        <table>
          <thead>
            <tr>
              <th>code</th>
              <th>recent</th>
              <th>total</th>
            </tr>
          </thead>
          <tbody id="errors" data-testid="errors"></tbody>
        </table>
        <p id="errors-none" class="muted"></p>
      </section>
      <section>
        <h2>Traces</h2>
        <dl>
          <dt>in memory</dt>
          ${dd('traces')}
        </dl>
      </section>
    </div>`;
  return document('rampart · status', STYLE, body, SCRIPT);
}
