import fc from 'fast-check';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Every public route, `:p` standing for a fuzzed path segment. */
export const ROUTES = [
  ['GET', '/api/items'],
  ['POST', '/api/items'],
  ['GET', '/api/items/:p'],
  ['PATCH', '/api/items/:p'],
  ['DELETE', '/api/items/:p'],
  ['GET', '/api/counters/:p'],
  ['POST', '/api/counters/:p/increment'],
  ['GET', '/hello'],
  ['GET', '/api/fanout'],
  ['GET', '/api/info'],
  ['GET', '/status/:p'],
  ['GET', '/delay/:p'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/startupz'],
] as const;

/** One UTF-16 unit or code point a hostile client might send, weighted towards the nasty ones. */
const hostileChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  // Unpaired surrogate halves: JSON.stringify escapes them (\ud800), JSON.parse revives them.
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\t',
      '\n',
      ' ',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\ufffd',
      '\uffff',
      '\u{10ffff}',
      '\u202e',
      'e\u0301',
      '"',
      '\\',
      '{',
      '}',
      ',',
      '%',
      "'",
      'NULL',
    ),
  },
);

/** Strings of every kind: plain, unicode, control characters, lone surrogates, NUL. */
export const hostileText = (maxLength = 40) =>
  fc.array(hostileChar, { maxLength }).map((parts) => parts.join(''));

/**
 * A value for an item field: mostly text a client could mean (so plenty of requests succeed and
 * are read back), some hostile text, now and then another JSON type or a length at the limit.
 */
const fieldValue = (maxLength: number) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
    { weight: 3, arbitrary: hostileText(6) },
    { weight: 1, arbitrary: fc.string({ minLength: maxLength - 1, maxLength: maxLength + 1 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

const itemFields = {
  name: fieldValue(200),
  description: fc.oneof(fc.constant(null), fieldValue(2000)),
  tags: fc.oneof(
    { weight: 5, arbitrary: fc.array(fieldValue(50), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fieldValue(50), { minLength: 19, maxLength: 22 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  ),
};

/**
 * Item bodies: plausible objects with hostile values, now and then with hostile keys (each named
 * back in the 400, past the 200 characters a problem repeats too), and now and then anything.
 */
export const itemBody = fc.oneof(
  { weight: 8, arbitrary: fc.record(itemFields, { requiredKeys: ['name'] }) },
  {
    weight: 1,
    arbitrary: fc.record({ ...itemFields, extra: fc.jsonValue() }, { requiredKeys: [] }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.record(itemFields, { requiredKeys: ['name'] }),
        fc.dictionary(fc.oneof(hostileText(8), hostileText(210)), fc.jsonValue({ maxDepth: 1 }), {
          minKeys: 1,
          maxKeys: 2,
        }),
      )
      .map(([fields, keys]) => ({ ...keys, ...fields })),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

/** Raw request bodies: JSON text with edge-case numbers and nesting, or arbitrary bytes. */
export const rawBody = fc.oneof(
  { weight: 8, arbitrary: itemBody.map((body) => JSON.stringify(body)) },
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.constantFrom(
    '{"name":"a","tags":[1e999]}',
    '{"by":1e400}',
    '{"by":9007199254740993}',
    '{"by":-0}',
    '{"by":"1"}',
    '{"by":1.5}',
    '{"name":"a","name":"b"}',
    '{"__proto__":{"a":1}}',
    '',
    ' ',
    '\ufeff{"name":"bom"}',
    '{"name":"\\ud800"}',
    '{"name":"\\u0000"}',
    'null',
    '[]',
    '{}',
  ),
  hostileText(200),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

/** Content-Type values: the ones that must work, the ones that must be refused, and noise. */
export const contentType = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON; CHARSET=UTF-8',
      'application/json; charset="utf-8"',
      'application/json;',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json;charset=latin1',
      'application/json; charset=',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json-patch+json',
      'application/*',
      '*/*',
      '',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'binary-ascii', maxLength: 40 })
      .filter((s) => /^[\x20-\x7e]*$/.test(s)),
  },
);

/** encodeURIComponent, except that a lone surrogate becomes its (invalid) 3-byte UTF-8 form. */
function encodeLoosely(text: string): string {
  let out = '';
  for (const char of text) {
    const unit = char.charCodeAt(0);
    out +=
      char.length === 1 && unit >= 0xd800 && unit <= 0xdfff
        ? `%ED%${(0x80 | ((unit >> 6) & 0x3f)).toString(16)}%${(0x80 | (unit & 0x3f)).toString(16)}`
        : encodeURIComponent(char);
  }
  return out;
}

/** A path segment: encoded unicode, broken percent-escapes, traversal, numbers. */
export const pathSegment = fc.oneof(
  hostileText(20).map(encodeLoosely),
  fc.constantFrom('%', '%zz', '%00', '%ff', '%c0%af', '%2e%2e', '..', '.', '%2F', '%20', '~', ''),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }).map(encodeURIComponent),
);

/** A query string (without `?`) with hostile keys and values, sometimes badly encoded. */
/** Cursors shaped like ours (`items:<id>`, base64url) around arbitrary ids. */
const cursorLike = fc
  .oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), hostileText(10))
  .map((id) => Buffer.from(`items:${id}`).toString('base64url'));

export const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'delay', 'x', '__proto__'),
      fc.oneof(pathSegment, cursorLike),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** Header names and values that must never be dangerous (framing headers are left out). */
const FRAMING =
  /^(content-length|transfer-encoding|expect|connection|host|x-request-timeout|upgrade)$/i;
export const header = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('x-request-id', 'if-match', 'if-none-match', 'idempotency-key', 'accept'),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }),
    ),
    fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 60 }),
      // obs-text: bytes 0x80-0xff, sent as latin1.
      fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
  )
  .filter(([name]) => !FRAMING.test(name.trim()));
