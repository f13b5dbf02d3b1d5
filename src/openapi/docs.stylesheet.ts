/**
 * /docs' contrast.css, loaded after Swagger UI's style sheet: the colours of Swagger UI's text
 * that drew under 4.5:1 on their background (WCAG 2 AA, 1.4.3) darkened until they pass, hue
 * kept; and, last, what a 320 px phone needs. Each comment gives the colour replaced and its
 * ratio where the page shows it;
 * test/contract/docs-accessibility.e2e-spec.ts measures every text element in Chromium. The
 * selectors repeat Swagger UI's, so they win by coming later; none is !important. Only /docs
 * links this file: the status and landing pages keep their own styles.
 */
export const DOCS_STYLESHEET = `
/* White on the method badges: GET #61affe 2.3, POST #49cc90 2.0, PATCH #50e3c2 1.6, DELETE
   #f93e3e 3.6, PUT #fca130 2.1, custom #86751f 4.4, deprecated #ebebeb 1.2. */
.swagger-ui .opblock.opblock-get .opblock-summary-method{background:#3f72a5}
.swagger-ui .opblock.opblock-post .opblock-summary-method{background:#2d7c58}
.swagger-ui .opblock.opblock-patch .opblock-summary-method{background:#2b7b69}
.swagger-ui .opblock.opblock-delete .opblock-summary-method{background:#cf3333}
.swagger-ui .opblock.opblock-put .opblock-summary-method{background:#9a621d}
.swagger-ui .opblock.opblock-custom .opblock-summary-method{background:#7e6e1d}
.swagger-ui .opblock.opblock-deprecated .opblock-summary-method{background:#6e6e6e}

/* The title's badges, white on #7d8492 (3.8) and on #89bf04 (2.2); the document's link #4990e2
   (3.3). */
.swagger-ui .info .title small{background:#696f7b}
.swagger-ui .info .title small.version-stamp{background-color:#567803}
.swagger-ui .info a{color:#3970b0}

/* Buttons: Execute, white on #4990e2 (3.3); Cancel, #ff6060 (2.9); Download, white on #7d8293
   (3.8); a schema's "Expand all", #afaeae (1.9, 1.5 on a schema's grey). */
.swagger-ui .btn.execute{background-color:#3970b0;border-color:#3970b0}
.swagger-ui .btn.cancel{border-color:#b04242;color:#b04242}
.swagger-ui .download-contents{background:#6a6e7d}
.swagger-ui .json-schema-2020-12-expand-deep-button{color:#555}

/* Parameters, on the operation's tint: "*" red (3.5), "required" red at 60 % (2.6), "(path)"
   and "(header)" grey (3.5). */
.swagger-ui .parameter__name.required span,.swagger-ui .parameter__name.required:after{color:#cf0000}
.swagger-ui .parameter__extension,.swagger-ui .parameter__in,.swagger-ui .response__extension{color:#666}

/* Fields before "Try it out": #888 on #fafafa (3.4), a list at Chromium's 70 % opacity for a
   disabled select (2.2). Placeholders, #757575 (4.4). */
.swagger-ui input[disabled],.swagger-ui select[disabled],.swagger-ui textarea[disabled]{color:#6b6b6b}
.swagger-ui select[disabled]{opacity:1}
.swagger-ui input::placeholder,.swagger-ui textarea::placeholder{color:#6c6c6c}

/* Code in descriptions, #9012fe on 5 % black over the tint (4.4), over a schema's grey (3.6). */
.swagger-ui .markdown code,.swagger-ui .renderedMarkdown code{color:#6a0dbc}

/* Schemas, on the operation's tint under 10 % black: descriptions and keyword values #6b6b6b
   (3.9), extension keywords #929292 (2.2), muted attributes grey (2.7), a required property's
   "*" and warnings red (3.0), primary attributes #55a (4.5); a string's constraint, white on
   #d69e2e (2.6); a response header's example, #999 (2.8). */
.swagger-ui .json-schema-2020-12-keyword--description,.swagger-ui .json-schema-2020-12-keyword__value,.swagger-ui .json-schema-2020-12-keyword__name--secondary,.swagger-ui .json-schema-2020-12-keyword__value--secondary,.swagger-ui .json-schema-2020-12-json-viewer__value,.swagger-ui .json-schema-2020-12-json-viewer__name--secondary,.swagger-ui .json-schema-2020-12-json-viewer__value--secondary,.swagger-ui .json-schema-2020-12__attribute--muted{color:#555}
.swagger-ui .json-schema-2020-12-keyword__name--extension,.swagger-ui .json-schema-2020-12-keyword__value--extension,.swagger-ui .json-schema-2020-12-json-viewer__name--extension,.swagger-ui .json-schema-2020-12-json-viewer__value--extension,.swagger-ui .json-schema-2020-12-json-viewer-extension-keyword .json-schema-2020-12-json-viewer__name,.swagger-ui .json-schema-2020-12-json-viewer-extension-keyword .json-schema-2020-12-json-viewer__value{color:#555}
.swagger-ui .json-schema-2020-12-property--required>.json-schema-2020-12:first-of-type>.json-schema-2020-12-head .json-schema-2020-12__title:after,.swagger-ui .json-schema-2020-12__attribute--warning,.swagger-ui .json-schema-2020-12-keyword__value--warning,.swagger-ui .json-schema-2020-12-json-viewer__value--warning{color:#b00000}
.swagger-ui .json-schema-2020-12__attribute--primary{color:#3d3d80}
.swagger-ui .json-schema-2020-12__constraint--string{background-color:#8d681e}
.swagger-ui table.headers .header-example{color:#555}

/* Not a colour: an operation's responses table is ~360 px at its narrowest (code, description
   with its media-type list, links), wider than a 320 px phone, whose browser then laid the
   whole page out wider and shrank it. It scrolls inside its box instead, as the code blocks do. */
.swagger-ui .responses-inner{overflow-x:auto}
`;

/**
 * Swagger UI's code theme (agate) sets its colours inline, out of a style sheet's reach; these
 * replace, through its configuration (swagger-ui.assets.ts), those under 4.5:1 on its #333:
 * numbers and bullets #d36363 (3.5), comments #888 (3.6).
 */
export const AGATE_CONTRAST = {
  'hljs-number': { color: '#ee8888' },
  'hljs-bullet': { color: '#ee8888' },
  'hljs-symbol': { color: '#ee8888' },
  'hljs-comment': { color: '#aaa' },
  'hljs-code': { color: '#aaa' },
};
