import {
  acceptRanges,
  preference,
  specificity,
  type MediaType,
} from '../protocol/accept.ranges.js';

/** `GET /`'s two answers, as their Content-Type names them (a range's parameters must match). */
const UTF8 = new Map([['charset', 'utf-8']]);
const JSON_TYPE: MediaType = { type: 'application', subtype: 'json', parameters: UTF8 };
const HTML_TYPE: MediaType = { type: 'text', subtype: 'html', parameters: UTF8 };

/**
 * Whether `GET /` answers its HTML page rather than JSON for this `Accept`: the page when it
 * weighs more than JSON does, each weighed by the most specific range that matches it (RFC 9110
 * §12.5.1, protocol/accept.ranges.ts): `text/*` and `*\/*` match the page too, and
 * `application/json, text/html;q=0.9` is JSON.
 * - A tie is the page, as before (a browser's navigation names text/html first, often beside
 *   `application/xml;q=0.9` or `*\/*;q=0.8`), unless JSON's range is the more specific
 *   (`text/*, application/json`) or only `*\/*` weighs the page: curl's `*\/*` alone is JSON.
 * - Weight 0 refuses (`text/html;q=0`: anything but HTML). A range that breaks the grammar, a q
 *   that is no qvalue among them (`q=1.5`, `q=abc`), counts as not sent.
 * - With neither acceptable (`image/png`, `text/html;q=0, application/json;q=0`), JSON, as with
 *   no `Accept` at all: RFC 9110 §12.5.1 lets a server disregard the field rather than answer
 *   406, and a client that can read neither gets the one a script most likely can.
 */
export function prefersHtml(accept: string): boolean {
  const ranges = acceptRanges(accept);
  const html = preference(ranges, HTML_TYPE);
  if (html.range === undefined || html.weight === 0) return false;
  const json = preference(ranges, JSON_TYPE);
  if (html.weight !== json.weight) return html.weight > json.weight;
  return html.range.type !== '*' && specificity(html.range) >= specificity(json.range!);
}
