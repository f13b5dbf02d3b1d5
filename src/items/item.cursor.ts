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

const MAX_BIGINT = 9223372036854775807n;

/** A positive PostgreSQL bigint, in canonical decimal form. */
export function isItemId(value: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}
