/** Strong ETag of one item version. The id is part of it so a tag copied from another item
 * never matches (RFC 9110 §8.8.3: an entity tag is opaque, any unique string will do). */
export function etagOf(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/** What an If-Match header allows a write to replace: any version (`*`), or these. */
export type Expected = 'any' | readonly number[];

/**
 * Reads If-Match for item `id` (RFC 9110 §13.1.1, strong comparison): `*` → 'any'; otherwise
 * the versions of every listed tag that is this item's (the condition holds if any matches);
 * none of ours → [] (nothing can match → 412).
 */
export function versionsFromIfMatch(header: string, id: string): Expected {
  const value = header.trim();
  if (value === '*') return 'any';
  const versions: number[] = [];
  for (const tag of value.split(',')) {
    // The version as etagOf writes it, digit for digit: strong comparison is character by
    // character, so "12.02" is not "12.2" although Number() reads both as 2.
    const match = /^"(\d{1,19})\.([1-9]\d{0,8})"$/.exec(tag.trim());
    if (match && match[1] === id) versions.push(Number(match[2]));
  }
  return versions;
}

/** Whether If-Match (absent: no condition) allows the item's current ETag (RFC 9110 §13.1.1). */
export function ifMatchHolds(header: string | undefined, id: string, version: number): boolean {
  if (header === undefined) return true;
  const expected = versionsFromIfMatch(header, id);
  return expected === 'any' || expected.includes(version);
}

/**
 * What If-None-Match rules out for a write of item `id` (RFC 9110 §13.1.2, weak comparison):
 * undefined without the header, 'any' for `*` (any current item: the write must not happen),
 * else the versions of the listed tags that are this item's.
 */
export function versionsFromIfNoneMatch(
  header: string | undefined,
  id: string,
): Expected | undefined {
  if (header === undefined) return undefined;
  const weak = header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .join(',');
  return versionsFromIfMatch(weak, id);
}

/** If-None-Match (RFC 9110 §13.1.2, weak comparison): true when the client's copy is current. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
