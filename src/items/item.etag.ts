/** Strong ETag of one item version. The id is part of it so a tag copied from another item
 * never matches (RFC 9110 §8.8.3: an entity tag is opaque, any unique string will do). */
export function etagOf(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/**
 * Reads If-Match for item `id` (RFC 9110 §13.1.1, strong comparison): `*` → 'any'; one of the
 * listed tags is ours → its version; otherwise undefined (nothing can match → 412).
 */
export function versionFromIfMatch(header: string, id: string): number | 'any' | undefined {
  const value = header.trim();
  if (value === '*') return 'any';
  for (const tag of value.split(',')) {
    const match = /^"(\d{1,19})\.(\d{1,9})"$/.exec(tag.trim());
    if (match && match[1] === id) return Number(match[2]);
  }
  return undefined;
}

/** If-None-Match (RFC 9110 §13.1.2, weak comparison): true when the client's copy is current. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
