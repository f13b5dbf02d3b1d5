import { bool, int, optionalString } from './config.fields.js';
import { CSS_COLOR_NAMES } from './css-color-names.js';

// A hex colour or a CSS colour name: the value lands in a style attribute, so nothing that could
// close it (`;`, quotes, parentheses) gets through, and only a name CSS knows is a colour.
const HEX_COLOR = /^(#[0-9a-f]{3}|#[0-9a-f]{6})$/i;
const isCssColor = (v: string): boolean =>
  HEX_COLOR.test(v) || CSS_COLOR_NAMES.has(v.toLowerCase());
const UI_MESSAGE_MAX_LENGTH = 500;

/** The browser pages: the public landing page (src/home/) and the admin trace view (src/debug/). */
export const pagesConfigShape = {
  // Keep the spans of sampled requests in memory for /debug/tracez on the admin port. With no
  // OTLP endpoint, spans are then still sampled (OTEL_TRACES_SAMPLER) so the page has something
  // to show; OTEL_SDK_DISABLED=true turns both off.
  TRACEZ_ENABLED: bool().default(true),
  // Ring size: the newest spans are kept, the oldest overwritten. ~1 KB each measured
  // (telemetry/span.store.spec.ts), so the default holds ~4-5 MB at most.
  TRACEZ_MAX_SPANS: int(16, 1_000_000).default(4_096),
  UI_COLOR: optionalString().refine((v) => v === undefined || isCssColor(v), {
    message: 'expected a hex colour (#rgb or #rrggbb) or a CSS colour name',
  }),
  UI_MESSAGE: optionalString().refine((v) => v === undefined || v.length <= UI_MESSAGE_MAX_LENGTH, {
    message: `expected at most ${UI_MESSAGE_MAX_LENGTH} characters`,
  }),
};
