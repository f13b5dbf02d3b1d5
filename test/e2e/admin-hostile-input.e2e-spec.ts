/**
 * Hostile input to the admin port's changes: each is answered 4xx in problem+json and changes
 * nothing, in whole or in part, and the listener keeps serving. chaos.e2e-spec.ts and
 * process-chaos.e2e-spec.ts hold each setting's range; admin-auth.e2e-spec.ts the token and the
 * media type.
 */
import { AdminClient } from '../support/admin-client.js';
import { json } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'hostile-input-admin-token';

describe('admin changes: hostile input is refused whole', () => {
  let t: TestApp;
  const admin = new AdminClient(() => t.adminUrl, TOKEN);
  const chaos = async () => json(await admin.request('GET', '/chaos'));
  const processChaos = async () => json(await admin.request('GET', '/chaos/process'));
  const ready = async () => (await fetch(`${t.probeUrl}/readyz`)).status;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: TOKEN });
  });
  afterEach(async () => {
    await admin.request('DELETE', '/chaos');
    await admin.request('DELETE', '/chaos/process');
    await admin.request('POST', '/readyz/enable');
  });
  afterAll(async () => {
    await t?.close();
  });

  // No admin change takes a query parameter. Ignored, each of these did what it was not told:
  // the pod left rotation, every fault stopped, the settings were replaced.
  it.each([
    ['POST', '/readyz/disable?dryRun=true', undefined],
    ['POST', '/readyz/enable?x=1', undefined],
    ['PUT', '/chaos?validate=1', { errorRate: 1 }],
    ['DELETE', '/chaos?x', undefined],
    ['PUT', '/chaos/process/liveness?dryRun=1', { reason: 'hostile' }],
    ['DELETE', '/chaos/process?fault=cpu', undefined],
    ['DELETE', '/chaos/process/cpu?x=1', undefined],
    ['POST', '/chaos/process/exit?dryRun=true', { code: 0, delayMs: 600_000 }],
  ])('%s %s → 400 naming the parameter, nothing changed', async (method, path, body) => {
    await admin.request('PUT', '/chaos', { latencyMs: 1 });
    const before = { chaos: await chaos(), process: await processChaos(), ready: await ready() };
    const res = await admin.request(method, path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toBe('INVALID_INPUT');
    const name = new URL(path, 'http://a').searchParams.keys().next().value;
    expect(problem.errors).toEqual([{ field: name, message: 'unknown query parameter' }]);
    expect({ chaos: await chaos(), process: await processChaos(), ready: await ready() }).toEqual(
      before,
    );
  });

  it('a query on a change without the token is answered 401 first: nothing said of its input', async () => {
    const res = await fetch(`${t.adminUrl}/readyz/disable?dryRun=true`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await ready()).toBe(200);
  });

  it('reads keep taking what they took: GET /chaos and /metrics with a parameter → 200', async () => {
    expect((await fetch(`${t.adminUrl}/chaos?x=1`)).status).toBe(200);
    const metrics = await fetch(`${t.adminUrl}/metrics?name[]=up`);
    expect(metrics.status).toBe(200);
    await metrics.text();
  });

  // One good field beside a bad one: neither is applied.
  it.each([
    ['a literal JSON cannot hold (NaN)', 'MALFORMED_JSON', '{"errorRate":1,"latencyMs":NaN}'],
    ['a number past a double (1e400)', 'INVALID_INPUT', '{"errorRate":1,"latencyMs":1e400}'],
    ['a number as a string', 'INVALID_INPUT', '{"errorRate":1,"latencyMs":"5"}'],
    ['a __proto__ key', 'INVALID_INPUT', '{"errorRate":1,"__proto__":{"latencyMs":5}}'],
    [
      'a constructor.prototype key',
      'INVALID_INPUT',
      '{"errorRate":1,"constructor":{"prototype":{}}}',
    ],
    [
      'nesting past the depth limit',
      'MALFORMED_JSON',
      `{"errorRate":1,"x":${'['.repeat(300)}${']'.repeat(300)}}`,
    ],
    ['a repeated key', 'INVALID_INPUT', '{"errorRate":1,"errorRate":0}'],
  ])('PUT /chaos with %s → 400 %s, nothing applied', async (_name, code, body) => {
    const before = await chaos();
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(res)).code).toBe(code);
    expect(await chaos()).toEqual(before);
  });

  it('PUT /chaos with -0 reads as 0 and answers it so', async () => {
    const res = await admin.request('PUT', '/chaos', { errorRate: -0, latencyMs: -0 });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"latencyMs":0');
  });

  it('a body past the admin limit → 413, nothing applied', async () => {
    const before = await chaos();
    const res = await fetch(`${t.adminUrl}/chaos`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: `{"errorRate":1,"pad":"${'x'.repeat(70_000)}"}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await chaos()).toEqual(before);
  });

  it('the listener keeps serving', async () => {
    expect((await fetch(`${t.adminUrl}/chaos`)).status).toBe(200);
  });
});
