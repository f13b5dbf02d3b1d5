import { SpanKind } from '@opentelemetry/api';
import { document, html, type SafeHtml } from '../html/html.template.js';
import type { HeldSpan } from '../telemetry/held-span.js';
import type { SpanStoreStats } from '../telemetry/span.store.js';
import {
  BUCKET_LABELS,
  type SpanNameSummary,
  type SpanView,
  type WaterfallRow,
} from './tracez.summary.js';

/**
 * What one /debug/tracez answer shows; `link` builds a URL relative to /debug/tracez (so a path
 * prefix in front is kept) that keeps the caller's ?token=.
 */
export interface TracezContent {
  stats: SpanStoreStats;
  summary: SpanNameSummary[];
  link: (query: Record<string, string | number>) => string;
  selection?: { title: string; spans: HeldSpan[] };
  trace?: { id: string; rows: WaterfallRow[] };
}

const STYLE = `
.grid td,.grid th{text-align:right;white-space:nowrap}.grid td:first-child,.grid th:first-child{text-align:left;white-space:normal}
.wf{font-size:12px}.wf td{border:0;padding:2px 4px}.wf .name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:40vw}
.track{position:relative;height:14px;background:var(--card);min-width:160px}
.bar{position:absolute;top:2px;height:10px;background:var(--bar);border-radius:2px}
.bar.err{background:var(--bad)}
.failed{color:var(--bad);font-weight:600;border:1px solid;border-radius:3px;padding:0 3px}
.attrs{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
`;

/** The zPages-style trace view: the per-name table, then a selection or one trace's waterfall. */
export function tracezPage(content: TracezContent): string {
  const { stats, link } = content;
  const body = html`<h1>Traces in this process</h1>
    <p class="muted">
      Sampled spans kept in memory: <b data-testid="held">${stats.held}</b> of ${stats.capacity}
      (${stats.recorded} recorded since start, ~${(stats.approxBytes / 1024 / 1024).toFixed(1)} MB).
      ${
        stats.keptShare < 1
          ? `Under load: ${(stats.keptShare * 100).toFixed(0)} % of sampled traces kept this second.`
          : ''
      }
      Newest first; the full traces go to the OTLP endpoint if one is set.
      <a href="${link({})}">refresh</a> &middot; <a href="../">status</a>
    </p>
    ${content.trace ? traceSection(content.trace, link) : ''}
    ${content.selection ? selectionSection(content.selection, link) : ''}
    <h2>Span names</h2>
    ${summaryTable(content.summary, link)}`;
  return document('rampart · tracez', STYLE, body);
}

function summaryTable(rows: SpanNameSummary[], link: TracezContent['link']): SafeHtml {
  if (rows.length === 0) {
    return html`<p data-testid="empty">
      No sampled spans yet: send a request to the public port (OTEL_TRACES_SAMPLER_ARG sets the
      share sampled).
    </p>`;
  }
  const view = (name: string, v: SpanView, text: string | number) =>
    html`<a href="${link({ name, view: v })}">${text}</a>`;
  return html`<div class="scroll">
    <table class="grid" data-testid="summary">
      <tr>
        <th>span name</th>
        <th>count</th>
        <th>slowest</th>
        <th>errors</th>
        ${BUCKET_LABELS.map((l) => html`<th>${l}</th>`)}
      </tr>
      ${rows.map(
        (r) =>
          html`<tr>
            <td>${view(r.name, 'recent', r.name)}</td>
            <td>${r.count}</td>
            <td>${view(r.name, 'slowest', ms(r.maxMs))}</td>
            <td>
              ${r.errors ? html`<span class="bad">${view(r.name, 'failed', r.errors)}</span>` : '0'}
            </td>
            ${r.buckets.map((n, bucket) => html`<td>${n ? html`<a href="${link({ name: r.name, view: 'recent', bucket })}">${n}</a>` : html`<span class="muted">0</span>`}</td>`)}
          </tr>`,
      )}
    </table>
  </div>`;
}

function selectionSection(
  selection: NonNullable<TracezContent['selection']>,
  link: TracezContent['link'],
): SafeHtml {
  return html`<h2>${selection.title}</h2>
    <div class="scroll">
      <table data-testid="spans">
        <tr>
          <th>start</th>
          <th>duration</th>
          <th>span</th>
          <th>trace</th>
        </tr>
        ${selection.spans.map(
          (s) =>
            html`<tr>
              <td class="mono">${new Date(s.startMs).toISOString().slice(11, 23)}</td>
              <td>${ms(s.durationMs)}</td>
              <td class="${s.failed ? 'bad' : ''}">
                ${failedLabel(s)}${s.name}
                <div class="attrs">${attributes(s)}</div>
              </td>
              <td class="mono"><a href="${link({ trace: s.traceId })}">${s.traceId}</a></td>
            </tr>`,
        )}
      </table>
    </div>`;
}

function traceSection(
  trace: NonNullable<TracezContent['trace']>,
  link: TracezContent['link'],
): SafeHtml {
  if (trace.rows.length === 0) {
    return html`<h2>Trace <span class="mono">${trace.id}</span></h2>
      <p data-testid="waterfall-empty">
        No span of this trace is held (not sampled, or overwritten since).
      </p>`;
  }
  const total = Math.max(...trace.rows.map((r) => r.offsetMs + r.span.durationMs));
  // The header row names the columns for a screen reader too: Chromium reads a table without
  // one as layout, its cells not announced as a span's name, duration and timing.
  return html`<h2>
      Trace <span class="mono">${trace.id}</span> &middot; ${trace.rows.length} spans &middot;
      ${ms(total)}
    </h2>
    <div class="scroll">
      <table class="wf" data-testid="waterfall">
        <tr>
          <th>span</th>
          <th>duration</th>
          <th>start and length</th>
        </tr>
        ${trace.rows.map(
          (r) =>
            html`<tr data-span="${r.span.name}">
                <td class="name" style="padding-left:${4 + r.depth * 14}px" title="${r.span.name}">
                  ${failedLabel(r.span)}${r.span.name}
                  <span class="muted">${KIND[r.span.kind]}</span>
                </td>
                <td class="mono">${ms(r.span.durationMs)}</td>
                <td style="width:60%">
                  <div class="track">
                    <div
                      class="bar${r.span.failed ? ' err' : ''}"
                      style="left:${r.offsetPct.toFixed(2)}%;width:${r.widthPct.toFixed(2)}%"
                    ></div>
                  </div>
                </td>
              </tr>
              <tr>
                <td colspan="3" class="attrs" style="padding-left:${4 + r.depth * 14}px">
                  +${ms(r.offsetMs)} &middot;
                  ${attributes(r.span)}${r.span.eventNames.length ? html` &middot; events: ${r.span.eventNames.join(', ')}` : ''}
                </td>
              </tr>`,
        )}
      </table>
    </div>
    <p><a href="${link({})}">back to all span names</a></p>`;
}

/**
 * A failed span said in words as well as in red, for a reader who cannot tell the colours apart
 * and for a screen reader (the text of the span's cell is what it reads out). Before the name:
 * the cell cuts a long one off at its end.
 */
function failedLabel(span: HeldSpan): SafeHtml | '' {
  return span.failed ? html`<span class="failed">error</span> ` : '';
}

const KIND: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

// Per attribute value on the page: a client chooses its User-Agent and path, and one long value
// must not push every row's trace link and timing bar off the screen.
const SHOWN_VALUE_CHARS = 200;

function attributes(span: HeldSpan): string {
  return Object.entries(span.attributes)
    .map(([k, v]) => {
      const value = String(v);
      return value.length > SHOWN_VALUE_CHARS
        ? `${k}=${value.slice(0, SHOWN_VALUE_CHARS)}… (${value.length} chars)`
        : `${k}=${value}`;
    })
    .join(' ');
}

function ms(value: number): string {
  if (value < 1) return `${(value * 1000).toFixed(0)}µs`;
  if (value < 1000) return `${value.toFixed(value < 10 ? 2 : 1)}ms`;
  return `${(value / 1000).toFixed(2)}s`;
}
