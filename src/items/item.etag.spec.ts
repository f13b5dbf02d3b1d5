import { encodeCursor, decodeCursor, isItemId } from './item.cursor.js';
import { etagOf, ifNoneMatchHits, versionFromIfMatch } from './item.etag.js';

describe('item ETags', () => {
  it('If-Match: our tag → its version, * → any, another item or weak → no match', () => {
    expect(versionFromIfMatch(etagOf('12', 3), '12')).toBe(3);
    expect(versionFromIfMatch(' * ', '12')).toBe('any');
    expect(versionFromIfMatch('"13.3"', '12')).toBeUndefined();
    expect(versionFromIfMatch('W/"12.3"', '12')).toBeUndefined();
    expect(versionFromIfMatch('"x", "12.4"', '12')).toBe(4);
    expect(versionFromIfMatch('garbage', '12')).toBeUndefined();
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
