import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * 5,000 characters of the client's own text, and the most of it any answer repeats: its first
 * 200, then `…` (errors/client-text.ts). Before one rule, the JSON body parser repeated a header
 * value's first 100; an exact-integer refusal a number's first 40 and the admin guard a header's
 * first 100, both with no mark of the cut, so a client could not tell a cut value from a whole one.
 */
const LONG = 'abcdefghij'.repeat(500);
const shown = (text: string) => `${text.slice(0, 200)}…`;

/** A number JSON.parse reads as 1: its 5,000 characters denote 1.000…001. */
const LONG_ONE = `1.${'0'.repeat(4_997)}1`;

describe('an answer repeats at most 200 characters of what the client sent, then …', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The problem `url` answers to a POST with these headers and body: its status, type and body. */
  const post = async (url: string, headers: Record<string, string>, body = '{}') => {
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, type: res.headers.get('content-type'), body: await json(res) };
  };
  const problemJson = expect.stringMatching(/^application\/problem\+json/);

  describe('the public port’s JSON body parser (POST /echo)', () => {
    it.each([
      [
        'a Content-Type of 5,000 characters',
        { 'content-type': `text/${LONG}` },
        `Content-Type ${shown(`text/${LONG}`)} is not accepted; send Content-Type: application/json.`,
      ],
      [
        'a Content-Encoding of 5,000 characters',
        { 'content-type': 'application/json', 'content-encoding': LONG },
        `Content-Encoding ${shown(LONG)} is not accepted; send it unencoded.`,
      ],
      [
        'a charset of 5,000 characters',
        { 'content-type': `application/json; charset=${LONG}` },
        `charset ${shown(LONG)} is not accepted; use utf-8.`,
      ],
    ])('%s → 415 naming its first 200 characters', async (_name, headers, detail) => {
      const answer = await post(`${t.baseUrl}/echo`, headers);
      expect(answer).toMatchObject({ status: 415, type: problemJson });
      expect(answer.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail });
    });
  });

  it('PUT /chaos with a number of 5,000 characters read as an integer → 400 saying so, then its start', async () => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: `{"latencyMs":${LONG_ONE}}`,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toEqual(problemJson);
    const body = await json(res);
    expect(body.code).toBe('INVALID_INPUT');
    // The reason first: the whole message is cut at 200 characters too.
    const message = shown(`read as 1; send the integer itself, not ${LONG_ONE}`);
    expect(body.errors).toEqual([{ field: 'latencyMs', message }]);
    expect(body.detail).toBe(`latencyMs: ${message}`);
  });

  describe('the admin guard (POST /readyz/disable)', () => {
    afterEach(() => fetch(`${t.adminUrl}/readyz/enable`, { method: 'POST' }));

    const refused = 'Admin changes are refused from a web page of another site';
    it.each([
      [
        'a Sec-Fetch-Site of 5,000 characters',
        403,
        { 'sec-fetch-site': LONG },
        'ADMIN_CROSS_SITE_REQUEST',
        `${refused}: Sec-Fetch-Site: ${shown(LONG)}.`,
      ],
      [
        'an Origin of 5,000 characters',
        403,
        { origin: `https://${LONG}` },
        'ADMIN_CROSS_SITE_REQUEST',
        `${refused}: Origin ${shown(`https://${LONG}`)} is not this host.`,
      ],
      [
        'a Content-Type of 5,000 characters',
        415,
        { 'content-type': `text/${LONG}` },
        'UNSUPPORTED_MEDIA_TYPE',
        `${shown(`text/${LONG}`)} is not accepted; send application/json or no body.`,
      ],
    ])('%s → %d naming its first 200 characters', async (_name, status, headers, code, detail) => {
      const answer = await post(`${t.adminUrl}/readyz/disable`, headers, 'x=1');
      expect(answer).toMatchObject({ status, type: problemJson });
      expect(answer.body).toMatchObject({ code, detail });
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    });
  });
});
