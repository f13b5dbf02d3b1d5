import { LAST_VERSION } from './item.row.js';

/** Strong ETag of one item version. The id is part of it so a tag copied from another item
 * never matches (RFC 9110 §8.8.3: an entity tag is opaque, any unique string will do). */
export function etagOf(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/** What an If-Match header allows a write to replace: any version (`*`), or these. */
export type Expected = 'any' | readonly number[];

/** One entity tag of a list: `opaque` with its quotes, as etagOf writes one. */
interface EntityTag {
  weak: boolean;
  opaque: string;
}

const STAR = /^[ \t]*\*[ \t]*$/;
// One list element and the comma after it (or the end): OWS, an optional entity tag
// (`W/` then DQUOTE *etagc DQUOTE; etagc is %x21 / %x23-7E / obs-text, RFC 9110 §8.8.3) and OWS.
// An element may be empty (`"a", , "b"`: §5.6.1 has a recipient accept that). The OWS after a
// tag is inside the optional group, so spaces before a bad character are read once, not once
// per way of splitting them between two `[ \t]*`.
const ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*)?(?:,|$)/y;

/**
 * An If-Match or If-None-Match value read by RFC 9110's grammar (`"*" / #entity-tag`): `*`, or
 * the list's tags; undefined when it is neither. `W/*` was read as `*` by writes and as a tag
 * matching nothing by reads, `"12.1` as a tag matching nothing: a client's mistake changed what
 * the request did instead of being answered (items.input.ts refuses such a value, 400).
 * A tag may hold a comma (`"a,b"`): the list is read tag by tag, not split at each comma.
 */
export function parseEntityTags(header: string): '*' | EntityTag[] | undefined {
  if (STAR.test(header)) return '*';
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < header.length) {
    ELEMENT.lastIndex = at;
    const element = ELEMENT.exec(header);
    if (element === null) return undefined;
    if (element[2] !== undefined) tags.push({ weak: element[1] !== undefined, opaque: element[2] });
    at = ELEMENT.lastIndex;
  }
  return tags;
}

/** Whether `header` is `*` or a list of entity tags (RFC 9110 §13.1.1, §13.1.2). */
export function isEntityTagList(header: string): boolean {
  return parseEntityTags(header) !== undefined;
}

/**
 * Reads If-Match for item `id` (RFC 9110 §13.1.1, strong comparison): `*` → 'any'; otherwise
 * the versions of every listed tag that is this item's (the condition holds if any matches);
 * none of ours → [] (nothing can match → 412). A value that is no list (refused before this,
 * items.input.ts) matches nothing.
 */
export function versionsFromIfMatch(header: string, id: string): Expected {
  return versionsOf(parseEntityTags(header), id, false);
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
  return versionsOf(parseEntityTags(header), id, true);
}

/** If-None-Match (RFC 9110 §13.1.2, weak comparison): true when the client's copy is current. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  if (tags === '*') return true;
  return tags !== undefined && tags.some((tag) => tag.opaque === etag);
}

function versionsOf(
  tags: '*' | EntityTag[] | undefined,
  id: string,
  weakComparison: boolean,
): Expected {
  if (tags === '*') return 'any';
  const versions: number[] = [];
  for (const tag of tags ?? []) {
    // Strong comparison (If-Match): a weak tag matches nothing.
    if (tag.weak && !weakComparison) continue;
    // The version as etagOf writes it, digit for digit: strong comparison is character by
    // character, so "12.02" is not "12.2" although Number() reads both as 2. Any the column
    // holds (LAST_VERSION: nine digits left versions from 1,000,000,000 unmatchable); one past
    // it is no version of ours, and the database's integer[] cast would fail the statement.
    const match = /^"(\d{1,19})\.([1-9]\d{0,9})"$/.exec(tag.opaque);
    if (match && match[1] === id) {
      const version = Number(match[2]);
      if (version <= LAST_VERSION) versions.push(version);
    }
  }
  return versions;
}
