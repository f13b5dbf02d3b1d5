/**
 * The ranges that accept `GET /`'s JSON, by how specific each is: the most specific one present
 * gives JSON its weight (RFC 9110 §12.5.1), so `application/json;q=0.2, *\/*` weighs 0.2.
 */
const JSON_RANGES = new Map([
  ['application/json', 3],
  ['application/*', 2],
  ['*/*', 1],
]);

/**
 * Whether `GET /` answers its HTML page rather than JSON for this `Accept`: the page when
 * text/html weighs more than JSON does, by RFC 9110 §12.5.1's quality values
 * (`application/json, text/html;q=0.9` is JSON; it was the page whenever text/html was named).
 * - A tie is the page, as before: a browser's navigation names text/html first, often beside
 *   `application/xml;q=0.9` or `*\/*;q=0.8`. So a text/html of weight 1 decides at once, and
 *   a browser's field is read no further than its first range.
 * - Only a `text/html` range weighs the page (its first one; parameters other than q are
 *   ignored, as before): a wildcard (`*\/*`, curl's) or `text/*` alone gets JSON, as before.
 * - Weight 0 refuses (`text/html;q=0`: anything but HTML). With neither acceptable, JSON, as
 *   with no `Accept` at all (no 406).
 */
export function prefersHtml(accept: string): boolean {
  let html: number | undefined;
  let json = 0;
  let jsonSpecificity = 0;
  for (const range of accept.split(',')) {
    const semi = range.indexOf(';');
    const media = (semi === -1 ? range : range.slice(0, semi)).trim().toLowerCase();
    if (media === 'text/html') {
      if (html !== undefined) continue;
      html = weight(range, semi);
      if (html === 1) return true;
      continue;
    }
    const specificity = JSON_RANGES.get(media);
    if (specificity !== undefined && specificity > jsonSpecificity) {
      jsonSpecificity = specificity;
      json = weight(range, semi);
    }
  }
  return html !== undefined && html > 0 && html >= json;
}

/**
 * A range's `q` (RFC 9110 §12.4.2): 1 when absent; outside the grammar's 0 to 1, 0 when it is
 * no number (`text/html;q=x` refused the page before too) and 1 when it is above 1.
 */
function weight(range: string, semi: number): number {
  if (semi === -1) return 1;
  for (const param of range.slice(semi + 1).split(';')) {
    const p = param.trim();
    if (p[1] !== '=' || (p[0] !== 'q' && p[0] !== 'Q')) continue;
    const q = Number(p.slice(2));
    return q > 0 ? Math.min(q, 1) : 0;
  }
  return 1;
}
