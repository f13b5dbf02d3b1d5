/**
 * The TRUST_PROXY text pattern of charts/rampart/values.schema.json, built from named parts: the
 * schema holds the result, a JSON string no one can review, and helm.trust-proxy.spec.ts checks
 * the two are equal. Change a part here, then paste `trustProxyPattern()` into the schema.
 *
 * It accepts what src/config/trust-proxy.field.ts accepts, no more: off, a hop count up to 10,
 * or a comma-separated list of IP addresses (node:net's isIP), CIDRs whose prefix fits the
 * address family (1-32 for IPv4, 1-128 for IPv6; /0 is `true` in disguise) and named ranges.
 * An IPv4-mapped range (`::ffff:` then a digit) needs a prefix from /97, as the app requires.
 * Only groups, classes, counted repeats and alternation: Helm's schema validator (Go, RE2) and
 * JavaScript read such a pattern alike.
 */

const alt = (...parts: string[]): string => `(${parts.join('|')})`;

/** Node's IPv4 octet: 0-255 without leading zeros (lib/internal/net.js). */
const V4_OCTET = alt('25[0-5]', '2[0-4][0-9]', '1[0-9][0-9]', '[1-9][0-9]', '[0-9]');
const V4 = `(${V4_OCTET}\\.){3}${V4_OCTET}`;

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
const V6_NOT_LEADING = [
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
const V6_MAPPED = `::${FFFF}:${alt(V4, `${DIGIT_SEG}(:${SEG}){0,3}:${V4}`, `${DIGIT_SEG}(:${SEG}){0,5}`)}`;
const V6_LEADING_OTHER = `::${alt(
  '',
  V4,
  `${NOT_FFFF}(:${SEG}){0,4}:${V4}`,
  `${FFFF}:${LETTER_SEG}(:${SEG}){0,3}:${V4}`,
  `${NOT_FFFF}(:${SEG}){0,6}`,
  FFFF,
  `${FFFF}:${LETTER_SEG}(:${SEG}){0,5}`,
)}`;

/** Prefix lengths as the app reads them: 1-3 digits, leading zeros allowed, within the range. */
const PREFIX_V4 = alt('0{0,2}[1-9]', '0?[12][0-9]', '0?3[0-2]');
const PREFIX_V6 = alt('0{0,2}[1-9]', '0?[1-9][0-9]', '1[01][0-9]', '12[0-8]');
const PREFIX_MAPPED = alt('0?9[7-9]', '1[01][0-9]', '12[0-8]');

const caseless = (word: string): string =>
  [...word].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join('');

const ENTRY = alt(
  `${V4}(/${PREFIX_V4})?`,
  `${alt(...V6_NOT_LEADING, V6_LEADING_OTHER)}(/${PREFIX_V6})?`,
  `${V6_MAPPED}(/${PREFIX_MAPPED})?`,
  ...['loopback', 'linklocal', 'uniquelocal'].map(caseless),
);

/** Off, a hop count (0-10, leading zeros allowed) or a list; spaces around it and its entries. */
export function trustProxyPattern(): string {
  const value = alt(
    caseless('off'),
    caseless('false'),
    '0*([0-9]|10)',
    `${ENTRY}(\\s*,\\s*${ENTRY})*`,
  );
  return `^$|^\\s*${value}\\s*$`;
}
