/**
 * The headers every HTML page goes out with, from the socket: a type with its charset, no
 * sniffing, and a word on caching. A page that says nothing about caching may be kept by a
 * shared cache with a default lifetime (a proxy's default TTL): then `/`, which says which pod
 * answered, showed one pod's page for every pod, and an old status page's script met a newer
 * /status.json after a rollout.
 */
import { startTestApp, type TestApp } from '../support/test-app.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('HTML pages: type, sniffing and caching headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_URL });
  });
  afterAll(() => t?.close());

  const pages = (): Array<[string, string, string]> => [
    ['public /', `${t.baseUrl}/`, 'no-store'],
    ['public /docs', `${t.baseUrl}/docs`, 'no-cache'],
    ['admin / (status)', `${t.adminUrl}/`, 'no-cache'],
    ['admin /debug/tracez', `${t.adminUrl}/debug/tracez`, 'no-store'],
  ];

  it('each page: text/html; charset=utf-8, nosniff, and its cache-control', async () => {
    const seen = [];
    for (const [name, url] of pages()) {
      const res = await fetch(url, { headers: { accept: BROWSER } });
      await res.arrayBuffer();
      seen.push([
        name,
        res.status,
        res.headers.get('content-type'),
        res.headers.get('x-content-type-options'),
        res.headers.get('cache-control'),
      ]);
    }
    expect(seen).toEqual(
      pages().map(([name, , cache]) => [name, 200, 'text/html; charset=utf-8', 'nosniff', cache]),
    );
  });

  it("public / as JSON is not kept either: it says which pod answered, as /version's does", async () => {
    const res = await fetch(`${t.baseUrl}/`, { headers: { accept: 'application/json' } });
    await res.arrayBuffer();
    expect([res.headers.get('cache-control'), res.headers.get('vary')]).toEqual([
      'no-store',
      'Accept',
    ]);
  });
});
