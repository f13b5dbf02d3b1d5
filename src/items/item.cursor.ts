const PREFIX = 'items:';

/**
 * Keyset pagination cursors: the last id of a page, wrapped so clients treat it as opaque
 * (the format may change without breaking them). Keyset, not OFFSET: a page is one index range
 * scan however deep, and rows inserted meanwhile never shift what the next page returns.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`${PREFIX}${lastId}`).toString('base64url');
}

/** The id a cursor points after, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  if (cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return undefined;
  }
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(PREFIX)) return undefined;
  const id = decoded.slice(PREFIX.length);
  return isItemId(id) ? id : undefined;
}

/**
 * A positive PostgreSQL bigint in canonical decimal form, 1 to 9223372036854775807, as one
 * regular expression: the OpenAPI document states it as its pattern, so a client validating
 * against the document refuses what the route refuses (`^[1-9][0-9]{0,18}$` let
 * 9223372036854775808 through to a 400).
 */
export const ITEM_ID_PATTERN = `^(?:${decimalsUpTo('9223372036854775807')})$`;
const ITEM_ID = new RegExp(ITEM_ID_PATTERN);

export function isItemId(value: string): boolean {
  return ITEM_ID.test(value);
}

/**
 * Alternatives matching the canonical decimals from 1 to `max`: any shorter length, then for
 * `max`'s length, each prefix of `max` followed by a smaller digit and any digits, and `max`.
 */
export function decimalsUpTo(max: string): string {
  const parts = max.length > 1 ? [`[1-9][0-9]{0,${max.length - 2}}`] : [];
  for (let i = 0; i < max.length; i++) {
    const low = i === 0 ? 1 : 0;
    const digit = Number(max[i]);
    if (digit <= low) continue;
    const rest = max.length - i - 1;
    parts.push(`${max.slice(0, i)}[${low}-${digit - 1}]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  parts.push(max);
  return parts.join('|');
}
