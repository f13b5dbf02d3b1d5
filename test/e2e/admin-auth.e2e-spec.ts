import { loadConfig } from '../../src/config/config.loader.js';
import { startChild, type Child } from '../support/child-process.js';
import { startTestAppWithDatabase } from '../support/database-app.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import { expectRawProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'admin-token-for-tests-0123456789';

/**
 * Every mutating admin route, with a body it would accept. Three elements each, even when the
 * body is absent: jest hands a shorter row's missing argument over as a `done` callback.
 */
const MUTATIONS: Array<[method: string, path: string, body: unknown]> = [
  ['PUT', '/chaos', { errorRate: 1, errorStatus: 503 }],
  ['DELETE', '/chaos', undefined],
  ['POST', '/readyz/disable', undefined],
  ['POST', '/readyz/enable', undefined],
];

function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('admin mutations with ADMIN_TOKEN set', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestAppWithDatabase({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => t?.close());
  afterEach(async () => {
    await call(t.adminUrl, 'DELETE', '/chaos', undefined, TOKEN);
    await call(t.adminUrl, 'POST', '/readyz/enable', undefined, TOKEN);
  });

  it.each(MUTATIONS)(
    '%s %s without a token → 401 problem+json with a Bearer challenge',
    async (method, path, body) => {
      const res = await call(t.adminUrl, method, path, body);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await json(res)).toMatchObject({ code: 'ADMIN_TOKEN_INVALID', status: 401 });
    },
  );

  it.each([
    ['a wrong token', 'Bearer not-the-admin-token-at-all'],
    ['a prefix of the right token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the right token with a longer tail', `Bearer ${TOKEN}x`],
    ['the right token under another scheme', `Basic ${TOKEN}`],
    ['the right token with no scheme', TOKEN],
    ['the scheme alone', 'Bearer'],
    ['the scheme and spaces', 'Bearer    '],
    ['a tab where RFC 6750 puts a space', `Bearer\t${TOKEN}`],
    ['the right token twice', `Bearer ${TOKEN} ${TOKEN}`],
    ['the right token in upper case (a token is case-sensitive)', `Bearer ${TOKEN.toUpperCase()}`],
    ['the right token and a second credential', `Bearer ${TOKEN}, Basic eDp5`],
    ['an 8 KB token', `Bearer ${'a'.repeat(8_192)}`],
  ])('%s → 401, and nothing changes', async (_name, authorization) => {
    const put = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(put.status).toBe(401);
    expect(put.headers.get('content-type')).toContain('application/problem+json');
    expect(put.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const disable = await fetch(`${t.adminUrl}/readyz/disable`, {
      method: 'POST',
      headers: { authorization },
    });
    expect(disable.status).toBe(401);
    expect((await json(await fetch(`${t.adminUrl}/chaos`))).errorRate).toBe(0);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
  });

  it.each([
    ['POST', '/readyz/enable', { disabled: true }],
    ['POST', '/readyz/disable', null],
    ['DELETE', '/chaos', { errorRate: 0 }],
  ])(
    '%s %s with a body it takes none of → 400 INVALID_INPUT, nothing changed',
    async (method, path, body) => {
      const before = await (await fetch(`${t.baseUrl}/readyz`)).status;
      const res = await fetch(`${t.adminUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({
        code: 'INVALID_INPUT',
        errors: [{ field: 'body', message: 'this route takes no body' }],
      });
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(before);
    },
  );

  it('the right token works, whatever the case of the scheme', async () => {
    const res = await fetch(`${t.adminUrl}/readyz/disable`, {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(503);
  });

  it.each(MUTATIONS)('%s %s with the token succeeds', async (method, path, body) => {
    expect((await call(t.adminUrl, method, path, body, TOKEN)).status).toBe(200);
  });

  it('reads need no token: GET /chaos and /metrics', async () => {
    expect((await fetch(`${t.adminUrl}/chaos`)).status).toBe(200);
    expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(200);
  });

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])(
    'POST /readyz/disable with a %s body (sendable cross-site without a preflight) → 415',
    async (_name, type) => {
      const res = await fetch(`${t.adminUrl}/readyz/disable`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
        body: 'x=1',
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    },
  );

  it.each([
    ['the right token first', [TOKEN, 'wrong-token']],
    ['the right token second', ['wrong-token', TOKEN]],
  ])(
    'two Authorization lines (%s) → 400, nothing changes: Node kept the first',
    async (_name, tokens) => {
      const body = '{"errorRate":1}';
      const res = await rawRequest(
        Number(new URL(t.adminUrl).port),
        `PUT /chaos HTTP/1.1\r\nHost: a\r\n${tokens.map((x) => `Authorization: Bearer ${x}\r\n`).join('')}` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(res.body).code).toBe('BAD_REQUEST');
      expect((await json(await fetch(`${t.adminUrl}/chaos`))).errorRate).toBe(0);
    },
  );

  it.each([
    ['a text/plain JSON-looking body', 'text/plain'],
    // As on the public port: the admin listener used Fastify's own parser, which took it (200).
    ['a charset other than UTF-8', 'application/json; charset=latin1'],
  ])('PUT /chaos with %s → 415, settings unchanged', async (_name, type) => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(res.status).toBe(415);
    expect((await json(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await json(await fetch(`${t.adminUrl}/chaos`))).errorRate).toBe(0);
  });

  it('a body without any Content-Type → 415 saying what to send', async () => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: new Blob([JSON.stringify({ errorRate: 1 })]), // a Blob with no type sends none
    });
    expect(res.status).toBe(415);
    expect((await json(res)).detail).toMatch(/application\/json/);
  });

  it('application/json with a charset is accepted', async () => {
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ latencyMs: 1 }),
    });
    expect(res.status).toBe(200);
  });
});

describe('admin mutations a browser sends from another site (development, no ADMIN_TOKEN)', () => {
  let t: TestApp;
  const disable = (headers: Record<string, string>) =>
    fetch(`${t.adminUrl}/readyz/disable`, { method: 'POST', headers });

  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'development' });
  });
  afterEach(() => call(t.adminUrl, 'POST', '/readyz/enable'));
  afterAll(() => t.close());

  // A bodyless POST is CORS-simple: a page sends it cross-site without a preflight.
  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin on another port of this host', { origin: 'http://127.0.0.1:1' }],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    // One value, one line, is what a browser sends: a list was neither cross-site nor same-site.
    ['Sec-Fetch-Site: same-origin, cross-site', { 'sec-fetch-site': 'same-origin, cross-site' }],
    ['Sec-Fetch-Site: same-origin,same-site', { 'sec-fetch-site': 'same-origin,same-site' }],
    ['a Sec-Fetch-Site no browser sends', { 'sec-fetch-site': 'Same-Origin' }],
  ])('a bodyless POST with %s → 403 ADMIN_CROSS_SITE_REQUEST, nothing changes', async (_n, h) => {
    const res = await disable(h);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(res)).code).toBe('ADMIN_CROSS_SITE_REQUEST');
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
  });

  it.each([
    ['neither header (curl, kubectl, scripts)', {}],
    ['the Origin of this host (the status page)', { origin: 'ORIGIN' }],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none (the user, not a page)', { 'sec-fetch-site': 'none' }],
  ])('with %s it is allowed', async (_n, h: Record<string, string>) => {
    const headers = h.origin === 'ORIGIN' ? { origin: t.adminUrl } : h;
    expect((await disable(headers)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(503);
  });

  // Node joins repeated lines into one value ("same-origin, cross-site"), which passed as
  // neither cross-site nor same-site; two Origin lines never parsed as one origin.
  it.each([
    ['Sec-Fetch-Site', 'same-origin', 'cross-site'],
    ['Sec-Fetch-Site', 'cross-site', 'same-origin'],
    ['Sec-Fetch-Site', 'same-origin', 'same-origin'],
    ['Origin', 'http://a', 'http://a'],
  ])('%s on two lines (%s, %s) → 403 ADMIN_CROSS_SITE_REQUEST', async (name, first, second) => {
    const res = await rawRequest(
      Number(new URL(t.adminUrl).port),
      `POST /readyz/disable HTTP/1.1\r\nHost: a\r\n${name}: ${first}\r\n${name}: ${second}\r\n` +
        'Content-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expectRawProblem(res, 403, 'ADMIN_CROSS_SITE_REQUEST');
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe('DEBUG_TOKEN, the deprecated name, still works as the admin token', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DEBUG_TOKEN: 'legacy-debug-token' });
  });
  afterAll(() => t.close());

  it('guards mutations: 401 without it, 200 with it', async () => {
    expect((await call(t.adminUrl, 'DELETE', '/chaos')).status).toBe(401);
    expect(
      (await call(t.adminUrl, 'DELETE', '/chaos', undefined, 'legacy-debug-token')).status,
    ).toBe(200);
  });
});

describe('production without ADMIN_TOKEN (real child process)', () => {
  let child: Child;
  let db: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    db = await defaultDatabaseEnv();
    child = await startChild({ ...db.env, NODE_ENV: 'production', LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    child.process.kill('SIGKILL');
    await child.exited;
    await db.drop();
  });

  it.each(MUTATIONS)(
    '%s %s → 403 ADMIN_TOKEN_NOT_CONFIGURED, whatever token is sent',
    async (method, path, body) => {
      for (const token of [undefined, 'anything-at-all-0123456789']) {
        const res = await call(child.adminUrl, method, path, body, token);
        expect(res.status).toBe(403);
        expect((await json(res)).code).toBe('ADMIN_TOKEN_NOT_CONFIGURED');
      }
      expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
    },
  );

  // The guard ran before the protocol checks: each of these was 403 ADMIN_TOKEN_NOT_CONFIGURED
  // here, where the public port answers what is wrong with the request. A malformed request, or
  // one no route takes, is not an authorisation question.
  it.each([
    ['POST *hello', 400, 'BAD_REQUEST', 'POST *hello', ''],
    ['POST *', 400, 'BAD_REQUEST', 'POST *', ''],
    ['DELETE *', 400, 'BAD_REQUEST', 'DELETE *', ''],
    ['PROPFIND /x', 404, 'NOT_FOUND', 'PROPFIND /x', ''],
    ['a mutation without Host', 400, 'BAD_REQUEST', 'POST /readyz/disable', 'no host'],
    ['a mutation over HTTP/2.0', 505, 'HTTP_VERSION_NOT_SUPPORTED', 'POST /readyz/disable', 'h2'],
  ])('%s → %d %s as on the public port, not 403', async (_name, status, code, line, variant) => {
    const version = variant === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1';
    const host = variant === 'no host' ? '' : 'Host: a\r\n';
    const request = `${line} ${version}\r\n${host}Content-Length: 0\r\n\r\n`;
    for (const url of [child.adminUrl, child.baseUrl]) {
      const res = await rawRequest(Number(new URL(url).port), request);
      expect({ url, status: res.status }).toEqual({ url, status });
      expectRawProblem(res, status, code);
    }
    expect((await fetch(`${child.baseUrl}/readyz`)).status).toBe(200);
  });

  it('a method an admin path lacks → 405 with Allow, before the guard', async () => {
    const res = await rawRequest(
      Number(new URL(child.adminUrl).port),
      'PROPFIND /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n',
    );
    expectRawProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('says so once at start-up, at warn', async () => {
    await call(child.adminUrl, 'DELETE', '/chaos');
    const lines = child
      .output()
      .split('\n')
      .filter((line) => line.includes('ADMIN_TOKEN is not set'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn' });
  });
});

describe('ADMIN_TOKEN configuration', () => {
  it('a token shorter than 16 characters stops start-up, and the error does not echo it', () => {
    let message = '';
    try {
      loadConfig({ ADMIN_TOKEN: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/ADMIN_TOKEN: expected at least 16 characters/);
    expect(message).not.toContain('short-secret');
  });

  it('a token with a space inside stops start-up (exit 78), naming the variable', async () => {
    const token = 'a-long-admin-token with-a-space';
    const child = await startChild({ ADMIN_TOKEN: token }, { waitReady: false });
    expect(await child.exited).toBe(78);
    expect(child.output()).toContain('ADMIN_TOKEN: must be an RFC 6750 bearer token');
    expect(child.output()).not.toContain(token);
  });

  it('a token using every b64token character (-._~+/ and = padding) guards mutations and pprof end to end', async () => {
    const token = 'Az09-._~+/rampart-admin==';
    const t = await startTestAppWithDatabase({ ADMIN_TOKEN: token, DEBUG_PPROF_ENABLED: 'true' });
    try {
      expect((await call(t.adminUrl, 'POST', '/readyz/disable')).status).toBe(401);
      expect((await call(t.adminUrl, 'POST', '/readyz/disable', undefined, token)).status).toBe(
        200,
      );
      expect((await call(t.adminUrl, 'POST', '/readyz/enable', undefined, token)).status).toBe(200);
      // `go tool pprof "…?token=$ADMIN_TOKEN"` sends the token as it is: '+' is a plus there, not
      // a space; percent-encoded it works too, and a wrong token is still refused.
      const heap = (query: string) => fetch(`${t.adminUrl}/debug/pprof/heap?${query}`);
      expect((await heap(`token=${token}`)).status).toBe(200);
      expect((await heap(`token=${encodeURIComponent(token)}`)).status).toBe(200);
      expect((await heap(`token=${token.replace('+', ' ')}`)).status).toBe(401);
      expect((await heap(`token=${token}&token=${token}`)).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
