import { encodeCursor, decodeCursor, isItemId } from './item.cursor.js';
import { etagOf, ifMatchHolds, ifNoneMatchHits, versionsFromIfMatch } from './item.etag.js';

describe('item ETags', () => {
  it('If-Match: our tag → its version, * → any, another item or weak → no match', () => {
    expect(versionsFromIfMatch(etagOf('12', 3), '12')).toEqual([3]);
    expect(versionsFromIfMatch(' * ', '12')).toBe('any');
    expect(versionsFromIfMatch('"13.3"', '12')).toEqual([]);
    expect(versionsFromIfMatch('W/"12.3"', '12')).toEqual([]);
    expect(versionsFromIfMatch('"x", "12.4"', '12')).toEqual([4]);
    // Any listed tag may match, not only the first of this item's.
    expect(versionsFromIfMatch('"12.1", "13.2", "12.2"', '12')).toEqual([1, 2]);
    expect(ifMatchHolds('"12.1", "12.2"', '12', 2)).toBe(true);
    expect(ifMatchHolds('"12.1"', '12', 2)).toBe(false);
    expect(ifMatchHolds(undefined, '12', 2)).toBe(true);
    expect(versionsFromIfMatch('garbage', '12')).toEqual([]);
    // Strong comparison is character by character: tags this server never issued match nothing.
    expect(versionsFromIfMatch('"12.02", "12.0002", "12.0"', '12')).toEqual([]);
  });

  it('If-None-Match: weak comparison, lists and *', () => {
    expect(ifNoneMatchHits('W/"1.2"', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('"a", "1.2"', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('*', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('"1.1"', '"1.2"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"1.2"')).toBe(false);
  });
});

describe('item cursors and ids', () => {
  it('round-trips an id and rejects anything not minted here', () => {
    expect(decodeCursor(encodeCursor('42'))).toBe('42');
    expect(decodeCursor('')).toBeUndefined();
    expect(decodeCursor('!!')).toBeUndefined();
    expect(decodeCursor(Buffer.from('items:0').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('other:5').toString('base64url'))).toBeUndefined();
  });

  it('ids are positive bigints in canonical form', () => {
    expect(isItemId('9223372036854775807')).toBe(true);
    for (const bad of ['0', '01', '-1', '1e3', '9223372036854775808', ' 1'])
      expect(isItemId(bad)).toBe(false);
  });
});
