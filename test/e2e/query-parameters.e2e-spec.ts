import { startTestAppWithDatabase } from '../support/database-app.js';
import { json, type JsonBody } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

async function expectRefused(res: Response, names: string[]): Promise<JsonBody> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = await json(res);
  expect(problem.code).toBe('INVALID_INPUT');
  expect(problem.errors).toEqual(
    names.map((field) => ({ field, message: 'unknown query parameter' })),
  );
  return problem;
}

/**
 * A route refuses a query parameter it does not define, 400 INVALID_INPUT naming it. Only the
 * item list did: `DELETE /api/items/7?ifVersion=3` deleted the item at any version, `POST
 * /api/counters/x/increment?by=5` added 1, `GET /hello?dealy=2s` answered at once, each 2xx
 * telling the client its parameter had been read.
 */
describe('unknown query parameters are refused on every items, counters and /hello route', () => {
  let t: TestApp;
  let id: string;
  let etag: string;

  beforeAll(async () => {
    t = await startTestAppWithDatabase();
    const created = await send('POST', '/api/items', { name: 'kept' });
    id = (await json(created)).id as string;
    etag = created.headers.get('etag') as string;
  });
  afterAll(() => t?.close());

  function send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    return fetch(`${t.baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  const itemCount = async () =>
    (await json(await send('GET', '/api/items?limit=100'))).items.length;
  const counter = async (name: string) =>
    (await json(await send('GET', `/api/counters/${name}`))).value;

  it.each([
    ['POST', '/api/items?dryRun=true', { name: 'new' }, {}],
    ['GET', '/api/items/{id}?fields=name', undefined, {}],
    ['HEAD', '/api/items/{id}?x', undefined, {}],
    ['PATCH', '/api/items/{id}?force=1', { name: 'changed' }, { 'if-match': '{etag}' }],
    ['DELETE', '/api/items/{id}?ifVersion=3', undefined, {}],
  ])('%s %s → 400 naming the parameter, nothing written', async (method, path, body, given) => {
    const before = await itemCount();
    const headers = Object.fromEntries(
      Object.entries(given).map(([name, value]) => [name, value.replace('{etag}', etag)]),
    );
    const res = await send(method, path.replace('{id}', id), body, headers);
    const parameter = path.slice(path.indexOf('?') + 1).split('=')[0]!;
    if (method === 'HEAD') {
      expect(res.status).toBe(400);
    } else {
      await expectRefused(res, [parameter]);
    }
    expect(await itemCount()).toBe(before);
    expect(await json(await send('GET', `/api/items/${id}`))).toMatchObject({
      name: 'kept',
      version: 1,
    });
  });

  it('names every unknown parameter, and a known one is still read', async () => {
    await expectRefused(await send('GET', `/api/items/${id}?a=1&b=2`), ['a', 'b']);
    expect((await send('GET', `/api/items/${id}`)).status).toBe(200);
    expect((await send('GET', '/api/items?limit=1')).status).toBe(200);
  });

  it('POST /api/counters/:name/increment?by=5 → 400, nothing added; GET with one → 400', async () => {
    expect((await send('POST', '/api/counters/q/increment')).status).toBe(200);
    await expectRefused(await send('POST', '/api/counters/q/increment?by=5'), ['by']);
    expect(await counter('q')).toBe(1);
    await expectRefused(await send('GET', '/api/counters/q?fresh=1'), ['fresh']);
  });

  it('GET /hello?dealy=2s → 400 naming dealy; ?delay= is still read', async () => {
    await expectRefused(await send('GET', '/hello?dealy=2s'), ['dealy']);
    expect((await send('GET', '/hello?delay=1ms')).status).toBe(200);
  });

  it('an empty query (`?` alone) is no parameter', async () => {
    expect((await send('GET', `/api/items/${id}?`)).status).toBe(200);
    expect((await send('GET', '/api/counters/q?')).status).toBe(200);
  });
});

/**
 * The admin routes that read a query refuse a parameter they do not define, as the public ones
 * do: `/debug/pprof/profile?secnds=5` sampled for the default 30 s (capped), `/debug/tracez?nme=`
 * listed every span name, each answer looking as if the parameter had been read. Admin routes
 * that read no query still ignore one (docs/endpoints.md).
 */
describe('unknown query parameters are refused on the admin routes that read a query', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A 1 s cap: a misspelt `seconds` that is not refused answers a profile after 1 s, not 30.
    t = await startTestAppWithDatabase({
      DEBUG_PPROF_ENABLED: 'true',
      DEBUG_PPROF_MAX_SECONDS: '1',
    });
  });
  afterAll(() => t?.close());

  const get = (path: string, method = 'GET') => fetch(`${t.adminUrl}${path}`, { method });

  it.each([
    ['/debug/pprof/profile?secnds=1', ['secnds']],
    ['/debug/pprof/profile?seconds=1&gc=1', ['gc']],
    ['/debug/pprof/heap?seconds=1', ['seconds']],
    ['/debug/pprof/heap?debug=1&token=x', ['debug']],
    ['/debug/tracez?nme=GET', ['nme']],
    ['/debug/tracez?view=failed&bukcet=1&x', ['bukcet', 'x']],
  ])('GET %s → 400 naming %j', async (path, names) => {
    await expectRefused(await get(path), names);
  });

  it('HEAD with an unknown parameter is refused too', async () => {
    expect((await get('/debug/tracez?nme=GET', 'HEAD')).status).toBe(400);
    expect((await get('/debug/pprof/heap?x', 'HEAD')).status).toBe(400);
  });

  it('the parameters each route defines are still read', async () => {
    expect((await get('/debug/tracez?name=GET&view=slowest&bucket=1&token=x')).status).toBe(200);
    expect((await get('/debug/pprof/heap?token=x')).status).toBe(200);
    const profile = await get('/debug/pprof/profile?seconds=1&token=x');
    expect(profile.status).toBe(200);
    await profile.arrayBuffer();
    // The bound is still checked after the names are.
    expect((await json(await get('/debug/pprof/profile?seconds=2'))).errors).toEqual([
      expect.objectContaining({ field: 'seconds' }),
    ]);
  });

  it.each(['/metrics?x=1', '/status.json?fresh', '/chaos?dryRun=true', '/openapi.json?v=2'])(
    'GET %s, a route that reads no query, ignores it (200)',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    },
  );
});
