import { startTestAppWithDatabase } from '../support/database-app.js';
import { json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import type { TestApp } from '../support/test-app.js';
import { MAX_JSON_DEPTH, MAX_OBJECT_MEMBERS } from '../../src/protocol/json.shape.js';

const STACK_FRAME = /\bat .*\.(js|ts):\d+/;
const EDGE_MESSAGE =
  'must not be blank or start or end with whitespace, a control or an invisible character';

describe('hostile input: stored exactly as sent or refused, JSON only where JSON is meant', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestAppWithDatabase();
  });
  afterAll(() => t?.close());

  const items = (
    body: string | Uint8Array,
    headers: Record<string, string>,
    method = 'POST',
    path = '',
  ) => fetch(`${t.baseUrl}/api/items${path}`, { method, headers, body });
  const postJson = (text: string | Uint8Array) =>
    items(text, { 'content-type': 'application/json' });

  async function problem(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(STACK_FRAME);
    const body = JSON.parse(text);
    expect(body.code).toBe(code);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  async function itemCount(): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await json(await fetch(`${t.baseUrl}/api/items?limit=100${query}`));
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return count;
  }

  describe('text the database cannot hold as sent is refused with 400 naming the field', () => {
    it.each([
      ['NUL in name', '{"name":"a\\u0000b"}', 'name'],
      ['NUL in description', '{"name":"a","description":"\\u0000"}', 'description'],
      ['NUL in a tag', '{"name":"a","tags":["ok","x\\u0000"]}', 'tags.1'],
      ['a lone high surrogate in name', '{"name":"a\\ud800"}', 'name'],
      [
        'a lone low surrogate in description',
        '{"name":"a","description":"\\udc00x"}',
        'description',
      ],
      [
        'a description starting with U+FEFF',
        '{"name":"a","description":"\\ufeffx"}',
        'description',
      ],
      ['reversed surrogates in a tag', '{"name":"a","tags":["\\ude00\\ud83d"]}', 'tags.0'],
      ['a name with leading whitespace (refused, not trimmed)', '{"name":" a"}', 'name'],
      [
        'a tag with trailing whitespace (refused, not trimmed)',
        '{"name":"a","tags":["t\\n"]}',
        'tags.0',
      ],
    ])('%s → 400 INVALID_INPUT, nothing written', async (_name, body, field) => {
      const before = await itemCount();
      const res = await postJson(body);
      const answer = await problem(res, 400, 'INVALID_INPUT');
      expect(answer.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      expect(await itemCount()).toBe(before);
    });

    // JavaScript's trim() keeps U+0085 (NEL), which Unicode counts as whitespace: a name ending in
    // it was stored. Controls (C0, DEL, C1) at an edge are as invisible, and refused alike.
    it.each([
      ['a name ending in U+0085 (NEL)', '{"name":"a\\u0085"}', 'name'],
      ['a name starting with U+0085', '{"name":"\\u0085a"}', 'name'],
      ['a name of U+0085 alone', '{"name":"\\u0085"}', 'name'],
      ['a tag ending in U+0085', '{"name":"a","tags":["ok","t\\u0085"]}', 'tags.1'],
      ['a name ending in U+0080 (a C1 control)', '{"name":"a\\u0080"}', 'name'],
      ['a name starting with U+009F (a C1 control)', '{"name":"\\u009fa"}', 'name'],
      ['a name starting with U+0001 (a C0 control)', '{"name":"\\u0001a"}', 'name'],
      ['a tag ending in U+007F (DEL)', '{"name":"a","tags":["t\\u007f"]}', 'tags.0'],
      ['a name ending in U+3000 (ideographic space)', '{"name":"a\\u3000"}', 'name'],
    ])('%s → 400 INVALID_INPUT, nothing written', async (_name, body, field) => {
      const before = await itemCount();
      const answer = await problem(await postJson(body), 400, 'INVALID_INPUT');
      expect(answer.errors).toEqual([{ field, message: EDGE_MESSAGE }]);
      expect(await itemCount()).toBe(before);
    });

    // Format characters that draw nothing were accepted at an edge: `kettle` and `kettle` + U+200B
    // were two items that look the same. Each one, at either edge of a name or a tag.
    const INVISIBLE: Array<[string, number]> = [
      ['U+200B zero-width space', 0x200b],
      ['U+200C zero-width non-joiner', 0x200c],
      ['U+200D zero-width joiner', 0x200d],
      ['U+2060 word joiner', 0x2060],
      ['U+180E Mongolian vowel separator', 0x180e],
      ['U+200E left-to-right mark', 0x200e],
      ['U+200F right-to-left mark', 0x200f],
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e].map((cp): [string, number] => [
        `U+${cp.toString(16).toUpperCase()} (a bidi embedding or override)`,
        cp,
      ]),
      ...[0x2066, 0x2067, 0x2068, 0x2069].map((cp): [string, number] => [
        `U+${cp.toString(16)} (a bidi isolate)`,
        cp,
      ]),
      ['U+061C Arabic letter mark', 0x061c],
      ['U+00AD soft hyphen', 0x00ad],
      ['U+2063 invisible separator', 0x2063],
      // The rest of Unicode's default-ignorable characters, and the interlinear annotation
      // controls, were accepted at either edge: a name of U+3164 alone looked blank. Past U+FFFF
      // the last character was read as half a surrogate pair, and any passed.
      ['U+034F combining grapheme joiner', 0x034f],
      ['U+115F Hangul choseong filler', 0x115f],
      ['U+1160 Hangul jungseong filler', 0x1160],
      ['U+3164 Hangul filler', 0x3164],
      ['U+FFA0 halfwidth Hangul filler', 0xffa0],
      ['U+17B4 Khmer vowel inherent AQ', 0x17b4],
      ['U+17B5 Khmer vowel inherent AA', 0x17b5],
      ['U+180B Mongolian free variation selector one', 0x180b],
      ['U+180C Mongolian free variation selector two', 0x180c],
      ['U+180D Mongolian free variation selector three', 0x180d],
      ['U+180F Mongolian free variation selector four', 0x180f],
      ['U+FE00 variation selector-1 (after no base it varies)', 0xfe00],
      ['U+FE0E variation selector-15 (after no emoji)', 0xfe0e],
      ['U+FE0F variation selector-16 (after no emoji)', 0xfe0f],
      ['U+FFF0 (reserved default-ignorable)', 0xfff0],
      ['U+FFF9 interlinear annotation anchor', 0xfff9],
      ['U+FFFA interlinear annotation separator', 0xfffa],
      ['U+FFFB interlinear annotation terminator', 0xfffb],
      ['U+1BCA0 shorthand format letter overlap', 0x1bca0],
      ['U+1BCA3 shorthand format up step', 0x1bca3],
      ['U+1D173 musical symbol begin beam', 0x1d173],
      ['U+1D17A musical symbol end phrase', 0x1d17a],
      ['U+E0001 language tag', 0xe0001],
      ['U+E0020 tag space (after no emoji)', 0xe0020],
      ['U+E007F cancel tag (after no emoji)', 0xe007f],
      ['U+E0100 variation selector-17 (after no ideograph)', 0xe0100],
      ['U+E01EF variation selector-256 (after no ideograph)', 0xe01ef],
      ['U+E0FFF (reserved default-ignorable)', 0xe0fff],
      // Blanks and format characters that are not default-ignorable, and drew nothing at an edge.
      ['U+2800 Braille pattern blank', 0x2800],
      ['U+13430 Egyptian hieroglyph vertical joiner', 0x13430],
      ['U+1343F Egyptian hieroglyph end walled enclosure', 0x1343f],
      ['U+13441 Egyptian hieroglyph full blank', 0x13441],
      ['U+1D159 musical symbol null notehead', 0x1d159],
    ];
    it.each(INVISIBLE)(
      '%s at the start or end of a name or tag → 400 INVALID_INPUT, nothing written',
      async (_name, cp) => {
        const before = await itemCount();
        const c = String.fromCodePoint(cp);
        for (const [body, field] of [
          [{ name: `kettle${c}` }, 'name'],
          [{ name: `${c}kettle` }, 'name'],
          [{ name: c }, 'name'],
          [{ name: 'kettle', tags: ['ok', `tea${c}`] }, 'tags.1'],
          [{ name: 'kettle', tags: [`${c}tea`] }, 'tags.0'],
        ] as const) {
          const answer = await problem(await postJson(JSON.stringify(body)), 400, 'INVALID_INPUT');
          expect({ body, errors: answer.errors }).toEqual({
            body,
            errors: [{ field, message: EDGE_MESSAGE }],
          });
        }
        expect(await itemCount()).toBe(before);
      },
    );

    it('a PATCH to a name ending in U+200B is refused; inside a name or tag they read back as sent', async () => {
      const inside =
        'a\u200bb\u200dc\u2066d\u2069e\u202ef\u200eg\u180eh\u00adi\u3164j\u034fk\ufff9l\u{e0001}m';
      // A variation selector or tag character that completes its sequence may end one: an emoji
      // (U+FE0F, U+E007F), an ideograph's registered form, a Mongolian letter's, a math symbol's.
      const tags = [
        't\u2060u',
        'love \u2764\ufe0f',
        '\u{1f3f4}\u{e0067}\u{e0062}\u{e007f}',
        '\u845b\u{e0100}',
        '\u1820\u180b',
        'A \u2229\ufe00',
      ];
      const created = await postJson(JSON.stringify({ name: inside, tags }));
      expect(created.status).toBe(201);
      const { id } = await json(created);
      const stored = await json(await fetch(`${t.baseUrl}/api/items/${id}`));
      expect([stored.name, stored.tags]).toEqual([inside, tags]);
      const res = await items(
        '{"name":"kettle\\u200b"}',
        { 'content-type': 'application/json', 'if-match': created.headers.get('etag') as string },
        'PATCH',
        `/${id}`,
      );
      expect((await problem(res, 400, 'INVALID_INPUT')).errors).toEqual([
        { field: 'name', message: EDGE_MESSAGE },
      ]);
      expect((await json(await fetch(`${t.baseUrl}/api/items/${id}`))).name).toBe(inside);
    });

    it('a PATCH to a name ending in U+0085 is refused; inside a name it reads back as sent', async () => {
      const created = await postJson('{"name":"a\\u0085b\\u0080c","tags":["x\\u0085y"]}');
      expect(created.status).toBe(201);
      const { id } = await json(created);
      const stored = await json(await fetch(`${t.baseUrl}/api/items/${id}`));
      expect([stored.name, stored.tags]).toEqual(['a\u0085b\u0080c', ['x\u0085y']]);
      const res = await items(
        '{"name":"b\\u0085"}',
        { 'content-type': 'application/json', 'if-match': created.headers.get('etag') as string },
        'PATCH',
        `/${id}`,
      );
      await problem(res, 400, 'INVALID_INPUT');
      expect((await json(await fetch(`${t.baseUrl}/api/items/${id}`))).name).toBe(
        'a\u0085b\u0080c',
      );
    });

    it('a PATCH with NUL is refused before the database sees it', async () => {
      const created = await postJson('{"name":"patch-me"}');
      const { id } = await json(created);
      const res = await items(
        '{"description":"a\\u0000"}',
        { 'content-type': 'application/json', 'if-match': created.headers.get('etag') as string },
        'PATCH',
        `/${id}`,
      );
      await problem(res, 400, 'INVALID_INPUT');
      expect((await json(await fetch(`${t.baseUrl}/api/items/${id}`))).description).toBeNull();
    });
  });

  describe('bytes that are not UTF-8 are malformed JSON, never stored as U+FFFD', () => {
    const withBytes = (...bytes: number[]) =>
      Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('"}')]);
    it.each([
      ['an invalid byte', withBytes(0xff)],
      ['a truncated sequence', withBytes(0xe2, 0x82)],
      ['an overlong encoding of "/"', withBytes(0xc0, 0xaf)],
      ['an encoded surrogate (CESU-8)', withBytes(0xed, 0xa0, 0x80)],
      ['a code point above U+10FFFF', withBytes(0xf4, 0x90, 0x80, 0x80)],
    ])('%s → 400 MALFORMED_JSON, nothing written', async (_name, bytes) => {
      const before = await itemCount();
      await problem(await postJson(new Uint8Array(bytes)), 400, 'MALFORMED_JSON');
      expect(await itemCount()).toBe(before);
    });
  });

  it.each(['gzip', 'br, x-evil', 'deflate'])(
    'a body with Content-Encoding %s → 415 UNSUPPORTED_MEDIA_TYPE, nothing written',
    async (encoding) => {
      const before = await itemCount();
      const res = await items('{"name":"encoded?"}', {
        'content-type': 'application/json',
        'content-encoding': encoding,
      });
      const body = await problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(body.detail).toContain('Content-Encoding');
      // RFC 7694: what would have been accepted.
      expect(res.headers.get('accept-encoding')).toBe('identity');
      expect(await itemCount()).toBe(before);
    },
  );

  it('Content-Encoding: identity is the body as sent', async () => {
    const res = await items('{"name":"identity"}', {
      'content-type': 'application/json',
      'content-encoding': 'identity',
    });
    expect(res.status).toBe(201);
  });

  describe('JSON nested past MAX_JSON_DEPTH is malformed, never a 500 from a recursive walk', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const echo = (body: string) =>
      fetch(`${t.baseUrl}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });

    it.each([
      ['arrays on /echo', () => echo(nested(5_000))],
      ['objects on /echo', () => echo(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)],
      ['arrays on /api/items', () => postJson(nested(100_000))],
    ])('%s → 400 MALFORMED_JSON', async (_name, send) => {
      const body = await problem(await send(), 400, 'MALFORMED_JSON');
      expect(body.detail).toContain(`${MAX_JSON_DEPTH} levels`);
    });

    it('the limit itself is accepted and echoed back as sent', async () => {
      const res = await echo(nested(MAX_JSON_DEPTH));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(nested(MAX_JSON_DEPTH));
    });
  });

  describe('an object wider than MAX_OBJECT_MEMBERS is refused before it is parsed', () => {
    // 90,000 keys (~1 MB): what V8 parses slowest, and a strict schema then named every key.
    const wide = (members: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: members }, (_, i) => [`k${i}`, 0])));

    it.each([
      ['/echo', '/echo'],
      ['/api/items', '/api/items'],
    ])('%s → 400 MALFORMED_JSON naming the limit', async (_name, path) => {
      const res = await fetch(`${t.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: wide(90_000),
      });
      const body = await problem(res, 400, 'MALFORMED_JSON');
      expect(body.detail).toContain(`more than ${MAX_OBJECT_MEMBERS} members`);
    });

    it('the limit itself is accepted and echoed back as sent', async () => {
      const sent = wide(MAX_OBJECT_MEMBERS);
      const res = await fetch(`${t.baseUrl}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: sent,
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(sent);
    });
  });

  it('tricky but valid text reads back byte for byte', async () => {
    const sent = {
      name: '👩‍👩‍👧‍👦 e\u0301 é שלום\u202e olleh \ufffd 𝕏 "\\/ \b\f\n\r\t \u0001 \u2028\u2029 \uffff \u{10ffff}',
      description:
        'a BOM\ufeff inside, combining: a\u0308\u0323, zero-width:\u200b\u200d., `${x}` %00 %s',
      tags: ['NULL', '{}', '"', '\\', ',', '{"a":1}', "'; DROP TABLE items; --", 'ǅ'],
    };
    // The escaped pair \ud83d\ude00 is a valid way to send 😀; it is stored as the character.
    const body = JSON.stringify({ ...sent, tags: ['@', ...sent.tags] }).replace(
      '"@"',
      '"\\ud83d\\ude00"',
    );
    const created = await postJson(body);
    expect(created.status).toBe(201);
    const { id } = await json(created);
    const read = await fetch(`${t.baseUrl}/api/items/${id}`);
    const got = await json(read);
    const expected = { ...sent, tags: ['😀', ...sent.tags] };
    for (const field of ['name', 'description'] as const) {
      expect(Buffer.from(got[field], 'utf8').equals(Buffer.from(expected[field], 'utf8'))).toBe(
        true,
      );
      expect(got[field]).toBe(expected[field]);
    }
    expect(got.tags).toEqual(expected.tags);
  });

  describe('JSON only where JSON is meant (415 otherwise)', () => {
    it.each([
      [
        'an HTML form post (CSRF without a preflight)',
        'application/x-www-form-urlencoded',
        'name=x',
      ],
      ['text/plain, which a form can also send', 'text/plain', '{"name":"x"}'],
      ['multipart/form-data', 'multipart/form-data; boundary=b', '--b--'],
      ['a charset other than UTF-8', 'application/json; charset=iso-8859-1', '{"name":"x"}'],
      ['a JSON-like but different type', 'application/json-patch+json', '[]'],
      ['a type that merely starts with application/json', 'application/jsonx', '{"name":"x"}'],
      // The first charset decided: this order was stored, the other refused (RFC 6838 §4.3: a
      // parameter given twice is an error).
      [
        'two charsets, UTF-8 first',
        'application/json; charset=utf-8; charset=latin1',
        '{"name":"x"}',
      ],
    ])('%s → 415 UNSUPPORTED_MEDIA_TYPE, nothing written', async (_name, type, body) => {
      const before = await itemCount();
      const res = await items(body, { 'content-type': type });
      await problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      // RFC 9110 §15.5.16: the answer says what would have been accepted.
      expect(res.headers.get('accept')).toBe('application/json');
      expect(await itemCount()).toBe(before);
    });

    it.each([
      ['application/json; charset=utf-8; charset=latin1', 'charset is given more than once'],
      ['application/json; charset=latin1; charset=utf-8', 'charset is given more than once'],
      ['application/json; charset=""', 'an empty charset is not accepted'],
      ['application/json; charset=latin1', 'charset latin1 is not accepted'],
      // A `;` inside a quoted value starts no parameter: this was "given more than once".
      ['application/json; a="x;charset=utf-8"; charset=latin1', 'charset latin1 is not accepted'],
    ])('Content-Type %s → 415 whose detail says: %s', async (type, said) => {
      const body = await problem(
        await items('{"name":"x"}', { 'content-type': type }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expect(body.detail).toBe(`${said}; use utf-8.`);
    });

    // Fastify refuses a type it cannot parse before any parser runs: the answer said only
    // "Unsupported Media Type", with no Accept, where every other 415 says what to send.
    it.each([
      ['no subtype', 'application/'],
      ['no slash', 'json'],
      ['parameters alone', ';charset=utf-8'],
      ['a list of two types', 'application/json, text/plain'],
      ['an empty value', ''],
    ])('a Content-Type that is no media type (%s) → 415 saying what to send', async (_, type) => {
      const before = await itemCount();
      const body = '{"name":"x"}';
      const res = await rawRequest(
        Number(new URL(t.baseUrl).port),
        `POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers.accept).toBe('application/json');
      const problem = JSON.parse(res.body);
      expect(problem.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(problem.detail).toBe(
        'The Content-Type is not a media type (type/subtype); send Content-Type: application/json.',
      );
      expect(await itemCount()).toBe(before);
    });

    // Told only to send application/json, a request without a body got EMPTY_JSON_BODY next.
    it('a Content-Type that is no media type, without a body → 415 saying there is none', async () => {
      const res = await rawRequest(
        t.ports.public,
        'POST /api/items HTTP/1.1\r\nHost: a\r\nContent-Type: json\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body).detail).toBe(
        'The Content-Type is not a media type (type/subtype), and the request has no body: send ' +
          'no Content-Type without one, or a JSON body with Content-Type: application/json.',
      );
    });

    it('a PATCH whose Content-Type is no media type → 415 with Accept-Patch too', async () => {
      const res = await fetch(`${t.baseUrl}/api/items/1`, {
        method: 'PATCH',
        headers: { 'content-type': 'merge-patch', 'if-match': '*' },
        body: '{"name":"x"}',
      });
      await problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.headers.get('accept-patch')).toBe('application/json');
    });

    it('a PATCH in another patch format → 415 with Accept-Patch (RFC 5789 §2.2)', async () => {
      const res = await fetch(`${t.baseUrl}/api/items/1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' },
        body: '{"name":"x"}',
      });
      await problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.headers.get('accept-patch')).toBe('application/json');
    });

    it.each([
      ['JSON first', ['application/json', 'text/plain']],
      ['JSON second', ['text/plain', 'application/json']],
    ])('two Content-Type lines (%s) → refused, nothing written', async (_name, types) => {
      const before = await itemCount();
      const body = '{"name":"two types"}';
      const res = await rawRequest(
        Number(new URL(t.baseUrl).port),
        `POST /api/items HTTP/1.1\r\nHost: a\r\n${types.map((x) => `Content-Type: ${x}\r\n`).join('')}` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
      // Node keeps the first line: JSON first was read as JSON and stored (201), and text/plain
      // first answered 415 where JSON first answered 400. Either order is one answer.
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(res.body).detail).toBe('More than one Content-Type header.');
      expect(await itemCount()).toBe(before);
    });

    it('a body without Content-Type → 415 whose detail says what to send', async () => {
      const res = await items(new TextEncoder().encode('{"name":"x"}'), {});
      const body = await problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(body.detail).toContain('send Content-Type: application/json');
    });

    it.each([
      ['application/json'],
      ['application/json; charset=utf-8'],
      ['Application/JSON; Charset="UTF-8"'],
      // A quoted value holds what it holds (RFC 9110 §5.6.6): this was refused as a charset
      // `latin1"`, and a quoted-pair as a charset `utf\-8`.
      ['application/json; profile="a;charset=latin1"'],
      ['application/json; charset="utf\\-8"'],
    ])('%s is accepted', async (type) => {
      const res = await items('{"name":"typed"}', { 'content-type': type });
      expect(res.status).toBe(201);
    });

    it('a body-less POST still works (counter increment without a body)', async () => {
      const res = await fetch(`${t.baseUrl}/api/counters/hostile/increment`, { method: 'POST' });
      expect(res.status).toBe(200);
      // Zero bytes of content, chunked or with a type, are as bodyless (they were 415).
      for (const headers of [
        'Transfer-Encoding: chunked\r\n',
        'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n',
        'Content-Type: text/plain\r\nContent-Length: 0\r\n',
      ]) {
        const empty = await rawRequest(
          t.ports.public,
          `POST /api/counters/hostile/increment HTTP/1.1\r\nHost: a\r\n${headers}Connection: close\r\n\r\n` +
            (headers.includes('chunked') ? '0\r\n\r\n' : ''),
        );
        expect({ headers, status: empty.status }).toEqual({ headers, status: 200 });
      }
      const form = await fetch(`${t.baseUrl}/api/counters/hostile/increment`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"by":5}',
      });
      await problem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('prototype poisoning is still refused (Fastify’s onProtoPoisoning: error), as the field it is, not as invalid JSON', async () => {
      const cases = [
        ['{"name":"a","__proto__":{"x":1}}', '__proto__'],
        ['{"name":"a","\\u005f_proto__":{"x":1}}', '__proto__'],
        ['{"name":"a","constructor":{"prototype":{"x":1}}}', 'constructor'],
        // A byte order mark is skipped, as on a body it does not refuse (below): it was
        // MALFORMED_JSON before a __proto__ key.
        ['\ufeff{"name":"a","__proto__":{"x":1}}', '__proto__'],
      ];
      for (const [body, field] of cases) {
        const refused = await problem(await postJson(body!), 400, 'INVALID_INPUT');
        expect(refused.errors).toEqual([{ field, message: 'a key this API never accepts' }]);
      }
      // Not JSON at all is still what it was.
      await problem(await postJson('{"name":'), 400, 'MALFORMED_JSON');
      expect((await postJson('\ufeff{"name":"after a byte order mark"}')).status).toBe(201);
    });
  });

  it('a 404 for a 5,000-character path names it once in full (instance), cut in detail', async () => {
    const path = `/${'p'.repeat(5_000)}`;
    const res = await fetch(`${t.baseUrl}${path}`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { instance: string; detail: string };
    expect(body.instance).toBe(path);
    expect(body.detail).toBe(`No route GET ${path.slice(0, 200)}…`);
  });

  it.each([
    ['/api/items?limit=1&limit=2', 'limit'],
    ['/api/items?cursor=a&cursor=b', 'cursor'],
    ['/hello?delay=1ms&delay=2ms', 'delay'],
  ])(
    '%s: a query parameter given twice is 400 saying so, not the parser’s words',
    async (path, field) => {
      const body = await problem(await fetch(`${t.baseUrl}${path}`), 400, 'INVALID_INPUT');
      expect(body.errors).toEqual([{ field, message: 'given more than once; send it once' }]);
    },
  );

  it('the process keeps serving', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });
});
