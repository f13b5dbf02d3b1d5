/**
 * The TRUST_PROXY text pattern of charts/rampart/values.schema.json, built from named parts: the
 * schema holds the result, a JSON string no one can review, and helm.trust-proxy.spec.ts checks
 * the two are equal. Change a part here, then paste `trustProxyPattern()` into the schema.
 *
 * It accepts what src/config/trust-proxy.field.ts accepts, no more: off, a hop count up to 10,
 * or a comma-separated list of IP addresses (node:net's isIP), CIDRs whose prefix fits the
 * address family (1-32 for IPv4, 1-128 for IPv6; /0 is `true` in disguise) and named ranges.
 * An IPv4-mapped range (`::ffff:` then a digit) needs a prefix from /97, as the app requires.
 * The addresses' parts are ip.pattern.ts's.
 */

import { alt, V4, V6_LEADING_OTHER, V6_MAPPED, V6_NOT_LEADING } from './ip.pattern.js';

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
