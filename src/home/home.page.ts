import { document, html } from '../html/html.template.js';

/** What `GET /` tells a visitor: the fields of /api/info a person cares about, plus UI_*. */
export interface HomeContent {
  service: string;
  version: string;
  pod: string;
  color?: string;
  message?: string;
}

// Every line may break anywhere, not only UI_MESSAGE: a service name with no hyphen or space
// (com.example.payments.frontend) ran 28 px wide past the card, and a phone widened the page to it.
const STYLE = `
body{display:flex;min-height:100vh;align-items:center;justify-content:center;background:var(--accent);margin:0}
main{background:var(--bg);border-radius:12px;padding:24px 28px;max-width:90vw;text-align:center;box-shadow:0 2px 12px #0003;overflow-wrap:anywhere}
h1{font-size:28px;margin:0 0 4px}.message{font-size:18px;margin:12px 0 0}
`;

/**
 * The landing page a browser gets at `/`: which service, version and pod answered, on UI_COLOR,
 * with UI_MESSAGE — as podinfo's page, for telling a canary from the stable release at a glance.
 * UI_COLOR is validated as a hex colour or a colour name at start-up (src/config/pages.config.ts);
 * the message is escaped.
 */
export function homePage(content: HomeContent): string {
  const accent = content.color ?? '#0969da';
  const body = html`<main data-testid="home">
    <h1 data-testid="service">${content.service}</h1>
    <div>version <b data-testid="version">${content.version}</b></div>
    <div>pod <b data-testid="pod">${content.pod}</b></div>
    ${content.message === undefined ? '' : html`<p class="message" data-testid="message">${content.message}</p>`}
  </main>`;
  return document(content.service, `:root{--accent:${accent}}${STYLE}`, body);
}
