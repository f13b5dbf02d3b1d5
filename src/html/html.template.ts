import { createHash } from 'node:crypto';
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Markup that is already safe: built by `html` or `raw`, never from input. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Part = SafeHtml | string | number | undefined | null | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === null) return '';
  if (part instanceof SafeHtml) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/**
 * A template tag for the server-rendered pages: every interpolated value is escaped unless it
 * is SafeHtml, so span names, attribute values and UI_MESSAGE cannot inject markup.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Constant markup, styles and scripts written in this repository (never input). */
export function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}

/**
 * A complete page: no external assets (styles and scripts inline), so it works in an air-gapped
 * cluster, and a viewport for phones. The empty icon stops the browser asking for
 * /favicon.ico, a 404 that would show among the status page's errors.
 */
export function document(title: string, style: string, body: SafeHtml, script = ''): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>${title}</title>
        <style>
          ${raw(BASE_STYLE + style)}
        </style>
      </head>
      <body>
        ${body}${raw(script ? `<script>${script}</script>` : '')}
      </body>
    </html> `.text;
}

/**
 * The headers of a page made by document(): its type, and a Content-Security-Policy that lets
 * it run its own script alone (by the script's hash: no inline script is allowed otherwise, so
 * an escaping slip cannot run anything), style its own elements, fetch from its own origin,
 * and sit in no frame (operator data; clickjacking it gains nothing, but nothing is lost
 * either). No referrer: a page opened with `?token=` must not hand it on.
 * @param script the page's script, exactly as given to document()
 */
export function pageHeaders(script = ''): Record<string, string> {
  const scripts = script
    ? `script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'; `
    : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      `default-src 'none'; ${scripts}style-src 'unsafe-inline'; connect-src 'self'; ` +
      "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/** The headers of a page without a script. */
export const PAGE_HEADERS = pageHeaders();

const BASE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#636c76;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--bar:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--line:#30363d;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--bar:#4493f8}}
*{box-sizing:border-box}
body{margin:0;padding:12px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:20px;margin:4px 0 8px}h2{font-size:16px;margin:16px 0 6px}
a{color:var(--bar)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
.scroll{overflow-x:auto}
.muted{color:var(--muted)}.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
`;
