import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DOCS_SCRIPT } from './docs.script.js';
import { AGATE_CONTRAST, DOCS_STYLESHEET } from './docs.stylesheet.js';

/**
 * The files /docs serves: Swagger UI's from the swagger-ui-dist package, no CDN (clusters are
 * often air-gapped); init.js, contrast.css and a11y.js from here.
 */
export const DOCS_ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  'init.js': 'text/javascript; charset=utf-8',
  'contrast.css': 'text/css; charset=utf-8',
  'a11y.js': 'text/javascript; charset=utf-8',
} as const;

export type DocsAsset = keyof typeof DOCS_ASSETS;

// Relative URLs throughout, so the page also works behind an ingress that adds a path prefix.
// The viewport: without it a phone lays the page out 980 px wide and shrinks it to a third.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rampart API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="stylesheet" href="docs/contrast.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<noscript><p data-testid="noscript">The API explorer needs JavaScript, which is off: the API
document itself is <a href="openapi.json">openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/a11y.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the page's Content-Security-Policy needs no 'unsafe-inline'
// for scripts. validatorUrl null: Swagger UI would otherwise send the document to an online
// validator for its badge. The plugin's rootInjects are merged into Swagger UI's own: its code
// theme's colours, set inline where the style sheet cannot reach them.
const INIT = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [{ rootInjects: { syntaxHighlighting: { styles: { agate: ${JSON.stringify(AGATE_CONTRAST)} } } } }],
  layout: 'BaseLayout',
});
`;

const OWN: Partial<Record<DocsAsset, string>> = {
  'init.js': INIT,
  'contrast.css': DOCS_STYLESHEET,
  'a11y.js': DOCS_SCRIPT,
};

/** Only this origin; Swagger UI sets inline styles and shows data: images. */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The page and its assets, read from disk on first use and kept. */
export class SwaggerUiAssets {
  private readonly cache = new Map<DocsAsset, Buffer>();
  private readonly dir = dirname(
    createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
  );

  readonly page = PAGE;

  asset(name: DocsAsset): Buffer {
    let body = this.cache.get(name);
    if (!body) {
      const own = OWN[name];
      body = own === undefined ? readFileSync(join(this.dir, name)) : Buffer.from(own);
      this.cache.set(name, body);
    }
    return body;
  }
}
