import { StatusCollector } from '../../src/status/status.collector.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The pages' HTTP contract, without a browser (browser-pages.e2e-spec.ts renders them).
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('status, landing and trace pages: HTTP contract', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_URL, UI_MESSAGE: 'hello' });
  });
  afterAll(() => t.close());

  it('admin / is a self-contained page with a CSP; /status.json carries its figures', async () => {
    const page = await fetch(`${t.adminUrl}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await page.text();
    expect(body).not.toMatch(/(src|href)="https?:/);
    expect((await fetch(`${t.baseUrl}/api/items/nope`)).status).toBe(400);
    const status = (await (await fetch(`${t.adminUrl}/status.json`)).json()) as {
      version: string;
      errors: Array<{ code: string; total: number }>;
      database: { max: number };
      traces: unknown;
      requests: { admission: { connections: number; holdingConnections: boolean } };
    };
    expect(status.version).toBe('0.1.0');
    // At rest the port accepts connections freely (connections are counted while admission is on).
    expect(status.requests.admission).toMatchObject({ holdingConnections: false });
    expect(status.requests.admission.connections).toBeGreaterThanOrEqual(0);
    expect(status.database.max).toBe(10);
    expect(status.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_INPUT' }));
    // In-process apps start without the telemetry preload: no span store.
    expect(status.traces).toBeNull();
  });

  it('polling /status.json in a row keeps a bounded history (one read a second over the minute)', async () => {
    for (let i = 0; i < 200; i++) {
      const answer = await fetch(`${t.adminUrl}/status.json`);
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    // Every poll used to keep its read for a minute: 200 polls, 200 maps.
    expect(t.app.get(StatusCollector).keptReads).toBeLessThanOrEqual(61);
  });

  it('/status.json counts the answers written straight to the socket too, on both ports', async () => {
    const port = (url: string) => Number(new URL(url).port);
    const errorsNow = async () => {
      const status = (await (await fetch(`${t.adminUrl}/status.json`)).json()) as {
        errors: Array<{ code: string; total: number }>;
      };
      return new Map(status.errors.map((e) => [e.code, e.total]));
    };
    const before = await errorsNow();
    const get = (extra: string) => `GET /hello HTTP/1.1\r\nhost: x\r\n${extra}\r\n`;
    const answers = [
      await rawRequest(port(t.baseUrl), get(`x-big: ${'a'.repeat(20_000)}\r\n`)),
      await rawRequest(port(t.baseUrl), get('expect: something\r\n')),
      await rawRequest(port(t.baseUrl), get('x-foo : 1\r\n')),
      await rawRequest(port(t.baseUrl), 'GET /hello HTTP/9.9\r\n\r\n'),
      await rawRequest(port(t.baseUrl), 'CONNECT example.com:443 HTTP/1.1\r\nhost: x\r\n\r\n'),
      await rawRequest(port(t.adminUrl), get('expect: something\r\n')),
    ];
    expect(answers.map((a) => a.status)).toEqual([431, 417, 400, 505, 405, 417]);
    const after = await errorsNow();
    const added = (code: string) => (after.get(code) ?? 0) - (before.get(code) ?? 0);
    expect(added('REQUEST_HEADER_FIELDS_TOO_LARGE')).toBe(1);
    expect(added('EXPECTATION_FAILED')).toBe(2);
    expect(added('BAD_REQUEST')).toBe(1);
    expect(added('HTTP_VERSION_NOT_SUPPORTED')).toBe(1);
    expect(added('METHOD_NOT_ALLOWED')).toBe(1);
  });

  it('/debug/tracez explains that tracing did not start, and refuses a malformed query', async () => {
    const page = await fetch(`${t.adminUrl}/debug/tracez`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tracing did not start');
    const bad = await fetch(`${t.adminUrl}/debug/tracez?trace=not-hex&bucket=12`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await bad.json()) as { errors: Array<{ field: string }> };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['bucket', 'trace']);
  });

  it('public / answers JSON unless the client asks for HTML', async () => {
    const json = await fetch(`${t.baseUrl}/`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toMatchObject({ service: 'rampart', message: 'hello' });
    const html = await fetch(`${t.baseUrl}/`, {
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' },
    });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('data-testid="message">hello</p>');
  });

  it('/favicon.ico on both ports: 204, cached a day, and no NOT_FOUND among the errors', async () => {
    for (const base of [t.baseUrl, t.adminUrl]) {
      const res = await fetch(`${base}/favicon.ico`);
      expect([base, res.status, res.headers.get('cache-control')]).toEqual([
        base,
        204,
        'public, max-age=86400',
      ]);
    }
    // A HEAD too, without the Content-Length a 204 must not carry (RFC 9110 §8.6).
    for (const base of [t.baseUrl, t.adminUrl]) {
      const res = await rawRequest(
        Number(new URL(base).port),
        'HEAD /favicon.ico HTTP/1.1\r\nHost: a\r\n\r\n',
        { head: true },
      );
      expect([base, res.status, res.headers['content-length']]).toEqual([base, 204, undefined]);
    }
    const status = (await (await fetch(`${t.adminUrl}/status.json`)).json()) as {
      errors: Array<{ code: string }>;
    };
    expect(status.errors.map((e) => e.code)).not.toContain('NOT_FOUND');
  });

  it.each([
    ['/docs/', '/docs'],
    ['/hello/?name=x', '/hello?name=x'],
    ['/api/items/1/', '/api/items/1'],
  ])('GET %s redirects (308) to the route %s', async (path, location) => {
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([308, location]);
  });

  // The asset name was checked by the route's schema: an unknown page was 400 INVALID_INPUT.
  it.each(['/docs/nope', '/docs/index.html', '/docs/swagger-ui.CSS'])(
    'GET %s, no such documentation file: 404 NOT_FOUND naming /docs and its files',
    async (path) => {
      const res = await fetch(`${t.baseUrl}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { code: string; detail: string; instance: string };
      expect(body).toMatchObject({ code: 'NOT_FOUND', instance: path });
      expect(body.detail).toContain('/docs');
      expect(body.detail).toContain('swagger-ui.css');
      expect(body.detail.length).toBeLessThan(200);
      expect((await fetch(`${t.baseUrl}/docs/swagger-ui.css`)).status).toBe(200);
    },
  );

  it.each(['/nope/', '//docs/'])('GET %s, no route without the slash either: 404', async (path) => {
    const res = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });

  // RFC 9110 §12.5.1: the type of the highest weight wins, each type weighed by the most specific
  // range that matches it (text/html;charset=utf-8 over text/html over text/* over */*); HTML on
  // a tie unless JSON was named more specifically or only */* names either. `application/json,
  // text/html;q=0.9` was HTML. `text/*` alone was JSON; a range's parameters other than q were
  // ignored (`text/html;level=1` picked a page that has no level); a q above 1 was read as 1 and
  // one that is no qvalue as 0.
  it.each([
    ['text/html;q=0, application/json', 'application/json'],
    ['TEXT/HTML ; Q=0.000, */*', 'application/json'],
    ['application/json, text/html;q=0.9', 'application/json'],
    ['application/json;q=0.5, text/html;q=0.1', 'application/json'],
    ['text/html;q=0.4, application/*;q=0.5', 'application/json'],
    ['text/html;q=0.6, */*;q=0.5', 'text/html'],
    ['application/json;q=0.2, */*, text/html;q=0.3', 'text/html'],
    ['application/json;q=0.8, text/html;q=0.8', 'text/html'],
    ['application/*, text/html', 'text/html'],
    ['*/*', 'application/json'],
    ['Text/Html', 'text/html'],
    // text/* matches text/html, with the weight of the most specific range that does.
    ['text/*', 'text/html'],
    ['text/*;q=0.5, application/json;q=0.4', 'text/html'],
    ['text/*, application/json', 'application/json'],
    ['text/*, text/html;q=0.1, application/json;q=0.5', 'application/json'],
    ['text/*;q=0, */*', 'application/json'],
    // Parameters: a range matches only a type that has them (charset compared in any case).
    ['application/json, text/html;level=1', 'application/json'],
    ['text/html;charset=UTF-8, application/json;q=0.9', 'text/html'],
    ['text/html;charset=iso-8859-1, application/json;q=0.1', 'application/json'],
    ['text/html, text/html;charset=utf-8;q=0.2, application/json;q=0.5', 'application/json'],
    ['application/json;charset=utf-8;q=0.1, text/html;q=0.5', 'text/html'],
    // A q that is no qvalue (RFC 9110 §12.4.2: 0 to 1, three decimals at most) drops its range.
    ['text/html;q=0.5, application/json;q=1.5', 'text/html'],
    ['text/html;q=1.5, application/json;q=0.5', 'application/json'],
    ['text/html;q=abc, application/json;q=0.1', 'application/json'],
    ['text/html;q=0.5, application/json;q=0.5000', 'text/html'],
    ['text/html;q=.5, application/json;q=0.1', 'application/json'],
    ['text/html;q=1.000, application/json', 'text/html'],
    // Neither acceptable: JSON, as with no Accept at all (RFC 9110 §12.5.1 lets a server
    // disregard the field rather than answer 406).
    ['image/png', 'application/json'],
    ['text/html;q=0, application/json;q=0', 'application/json'],
  ])('public / with Accept: %s answers %s (the highest weight wins)', async (accept, type) => {
    const res = await fetch(`${t.baseUrl}/`, { headers: { accept } });
    expect(res.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
    await res.arrayBuffer();
  });
});

describe('TRACEZ_ENABLED=false', () => {
  it('leaves /debug/tracez unregistered (404)', async () => {
    const t = await startTestApp({ DATABASE_URL, TRACEZ_ENABLED: 'false' });
    try {
      expect((await fetch(`${t.adminUrl}/debug/tracez`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
