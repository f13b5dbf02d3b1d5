import { decimalsUpTo, encodeCursor, decodeCursor, isItemId } from './item.cursor.js';
import {
  etagOf,
  ifMatchHolds,
  ifNoneMatchHits,
  isEntityTagList,
  parseEntityTags,
  versionsFromIfMatch,
  versionsFromIfNoneMatch,
} from './item.etag.js';

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

  // Any version the integer column holds (nine digits left 1,000,000,000 on unmatchable); none
  // past it, which the database's integer[] cast would refuse.
  it('If-Match: every version up to 2,147,483,647, none past it', () => {
    for (const version of [999_999_999, 1_000_000_000, 2_147_483_647]) {
      expect(versionsFromIfMatch(etagOf('12', version), '12')).toEqual([version]);
      expect(versionsFromIfNoneMatch(`W/${etagOf('12', version)}`, '12')).toEqual([version]);
    }
    expect(versionsFromIfMatch('"12.2147483648", "12.9999999999", "12.10000000000"', '12')).toEqual(
      [],
    );
  });

  it('If-None-Match: weak comparison, lists and *', () => {
    expect(ifNoneMatchHits('W/"1.2"', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('"a", "1.2"', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('*', '"1.2"')).toBe(true);
    expect(ifNoneMatchHits('"1.1"', '"1.2"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"1.2"')).toBe(false);
  });
});

describe('entity-tag lists (RFC 9110 §8.8.3, §13.1.1)', () => {
  it('reads `*` alone, or tags with their weakness, a comma inside a tag kept', () => {
    expect(parseEntityTags(' * ')).toBe('*');
    expect(parseEntityTags('"1.2", W/"1.3"')).toEqual([
      { weak: false, opaque: '"1.2"' },
      { weak: true, opaque: '"1.3"' },
    ]);
    expect(parseEntityTags('"a,b"')).toEqual([{ weak: false, opaque: '"a,b"' }]);
    // Empty elements are skipped (§5.6.1); no tag at all matches nothing.
    expect(parseEntityTags(', "1.2" ,, ')).toEqual([{ weak: false, opaque: '"1.2"' }]);
    expect(parseEntityTags('')).toEqual([]);
    // obs-text is an etagc.
    expect(isEntityTagList('"\xe9"')).toBe(true);
  });

  it.each([
    'W/*', // `*` cannot be weak
    '*, "1.2"', // `*` stands alone
    'garbage',
    '1.2',
    '"1.2',
    '"1.2"x',
    '"1.2" "1.3"',
    '"a b"', // no space inside a tag
    'W/ "1.2"',
    'w/"1.2"', // `W/` is case-sensitive
    '"1.2";q=1',
  ])('%j is no entity-tag list', (value) => {
    expect(parseEntityTags(value)).toBeUndefined();
    expect(isEntityTagList(value)).toBe(false);
  });

  it('W/* is not `*`: it neither hits a read nor rules out a write', () => {
    expect(ifNoneMatchHits('W/*', '"1.2"')).toBe(false);
    expect(versionsFromIfNoneMatch('W/*', '1')).toEqual([]);
    expect(versionsFromIfMatch('W/*', '1')).toEqual([]);
  });

  it('a run of spaces before a bad character is read in linear time', () => {
    const started = performance.now();
    expect(parseEntityTags(`"1.2",${' '.repeat(50_000)}x`)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(200);
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

  it('the id pattern (stated in OpenAPI) accepts exactly 1 to the bigint maximum', () => {
    const max = 9223372036854775807n;
    const near = [1n, 9n, 10n, 99n, 10n ** 18n - 1n, 10n ** 18n, max - 1n, max, max + 1n];
    const digits = (n: number) =>
      String(1 + Math.floor(Math.random() * 9)) +
      Array.from({ length: n - 1 }, () => Math.floor(Math.random() * 10)).join('');
    const random = Array.from({ length: 2_000 }, (_, i) => BigInt(digits(1 + (i % 20))));
    // Each prefix of the maximum with every digit after it, and every digit in each place.
    const edges = [...'9223372036854775807'].flatMap((_, i) =>
      [...'0123456789'].map((d) =>
        BigInt('9223372036854775807'.slice(0, i) + d + '9'.repeat(18 - i)),
      ),
    );
    for (const n of [...near, ...random, ...edges]) {
      expect([String(n), isItemId(String(n))]).toEqual([String(n), n >= 1n && n <= max]);
    }
    // Small maxima, all values below 1,000 checked.
    for (const max of ['1', '7', '10', '19', '20', '305', '999']) {
      const pattern = new RegExp(`^(?:${decimalsUpTo(max)})$`);
      for (let n = 0; n < 1_000; n++) {
        expect([max, n, pattern.test(String(n))]).toEqual([max, n, n >= 1 && n <= Number(max)]);
      }
    }
  });
});
