/**
 * IP address patterns for charts/rampart/values.schema.json, built from named parts: node:net's
 * isIP forms, as the app reads them (trust-proxy.pattern.ts, listen-host.pattern.ts). Only
 * groups, classes, counted repeats and alternation: Helm's schema validator (Go, RE2) and
 * JavaScript read such a pattern alike.
 */

export const alt = (...parts: string[]): string => `(${parts.join('|')})`;

/** Node's IPv4 octet: 0-255 without leading zeros (lib/internal/net.js). */
const V4_OCTET = alt('25[0-5]', '2[0-4][0-9]', '1[0-9][0-9]', '[1-9][0-9]', '[0-9]');
export const V4 = `(${V4_OCTET}\\.){3}${V4_OCTET}`;

/** IPv6 groups: any, one starting with a digit, one starting with a letter, any but `ffff`. */
const SEG = '[0-9A-Fa-f]{1,4}';
const DIGIT_SEG = '[0-9][0-9A-Fa-f]{0,3}';
const LETTER_SEG = '[A-Fa-f][0-9A-Fa-f]{0,3}';
const FFFF = '[Ff]{4}';
const NOT_FFFF = alt(
  '[0-9A-Fa-f]{1,3}',
  '[0-9A-Ea-e][0-9A-Fa-f]{3}',
  '[Ff][0-9A-Ea-e][0-9A-Fa-f]{2}',
  '[Ff]{2}[0-9A-Ea-e][0-9A-Fa-f]',
  '[Ff]{3}[0-9A-Ea-e]',
);

/** Node's IPv6 forms that do not start with `::`, zone ids left out (lib/internal/net.js). */
export const V6_NOT_LEADING = [
  `(${SEG}:){7}(${SEG}|:)`,
  `(${SEG}:){6}(${V4}|:${SEG}|:)`,
  `(${SEG}:){5}(:${V4}|(:${SEG}){1,2}|:)`,
  `(${SEG}:){4}((:${SEG}){0,1}:${V4}|(:${SEG}){1,3}|:)`,
  `(${SEG}:){3}((:${SEG}){0,2}:${V4}|(:${SEG}){1,4}|:)`,
  `(${SEG}:){2}((:${SEG}){0,3}:${V4}|(:${SEG}){1,5}|:)`,
  `${SEG}:((:${SEG}){0,4}:${V4}|(:${SEG}){1,6}|:)`,
];

/**
 * Node's `::` form is `::` then nothing, (group:){0,5} then IPv4, or group(:group){0,6}. The app
 * reads those starting `::ffff:` and a digit as IPv4-mapped, so that form is split in two.
 */
export const V6_MAPPED = `::${FFFF}:${alt(V4, `${DIGIT_SEG}(:${SEG}){0,3}:${V4}`, `${DIGIT_SEG}(:${SEG}){0,5}`)}`;
export const V6_LEADING_OTHER = `::${alt(
  '',
  V4,
  `${NOT_FFFF}(:${SEG}){0,4}:${V4}`,
  `${FFFF}:${LETTER_SEG}(:${SEG}){0,3}:${V4}`,
  `${NOT_FFFF}(:${SEG}){0,6}`,
  FFFF,
  `${FFFF}:${LETTER_SEG}(:${SEG}){0,5}`,
)}`;

/** Any IPv6 address isIP takes: the forms above, then an optional zone id (`fe80::1%eth0`). */
export const V6 = `${alt(...V6_NOT_LEADING, V6_LEADING_OTHER, V6_MAPPED)}(%[0-9A-Za-z.:-]+)?`;
