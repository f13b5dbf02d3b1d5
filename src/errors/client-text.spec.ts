import { cut, frameworkDetail, pathAsSent } from './client-text.js';

const LONG = 'abcdefghij'.repeat(500);

describe('cut', () => {
  it('keeps 200 characters whole and cuts 5,000 to their first 200, then …', () => {
    const fits = LONG.slice(0, 200);
    expect(cut(fits)).toBe(fits);
    expect(cut(LONG)).toBe(`${LONG.slice(0, 200)}…`);
  });

  it('keeps an emoji across the 200th character whole: its first half is never left alone', () => {
    const text = `${'k'.repeat(199)}${'\u{1F600}'.repeat(5)}`;
    expect(cut(text)).toBe(`${'k'.repeat(199)}…`);
    // With the `u` flag a pair is one code point: this matches an unpaired half only.
    expect(cut(text)).not.toMatch(/[\uD800-\uDFFF]/u);
    // Ending at the 200th character, the pair is whole and kept.
    const fits = `${'k'.repeat(198)}${'\u{1F600}'.repeat(5)}`;
    expect(cut(fits)).toBe(`${'k'.repeat(198)}\u{1F600}…`);
  });

  it('shows an unpaired surrogate as the escape a client writes for it; a pair stays as it is', () => {
    expect(cut('a\uD800b\uDFFF\u{1F600}')).toBe('a\\ud800b\\udfff\u{1F600}');
    expect(cut(`${'\uDC00'.repeat(300)}`)).toBe(`${'\\udc00'.repeat(200)}…`);
  });
});

describe('frameworkDetail', () => {
  it('a message naming 5,000 characters of the client’s → its first 200, then …', () => {
    const message = `'${LONG}' is not a valid url component`;
    expect(frameworkDetail(message, 'Bad Request')).toBe(`${message.slice(0, 200)}…`);
  });

  it('a short message → itself', () => {
    expect(frameworkDetail("'/%zz' is not a valid url component", 'Bad Request')).toBe(
      "'/%zz' is not a valid url component",
    );
  });

  it('its first line only, never a stack', () => {
    const error = new Error('Body is not valid JSON');
    expect(frameworkDetail(error.stack, 'Bad Request')).toBe('Error: Body is not valid JSON');
  });

  it.each([
    ['empty', ''],
    ['an empty first line', '\n    at parse (file.js:1:1)'],
    ['not a string', { text: 'x' }],
    ['absent', undefined],
  ])('%s → the status’s title', (_name, message) => {
    expect(frameworkDetail(message, 'Bad Request')).toBe('Bad Request');
  });
});

describe('pathAsSent', () => {
  it.each([
    ['/hello', '/hello'],
    ['/a%20b?token=q', '/a%20b'],
    ['/hello#frag', '/hello'],
    ['http://user:s3cret@host/api/items/x?q=1', '/api/items/x'],
    ['https://host:8443?a/hello', '/'],
    ['http://host', '/'],
    ['http://host#x/y', '/'],
    ['*?x=1', '*'],
  ])('%s → %s: no scheme, authority, query or fragment', (target, path) => {
    expect(pathAsSent(target)).toBe(path);
  });
});
