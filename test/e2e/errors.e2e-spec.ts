import { startTestApp, type TestApp } from '../support/test-app.js';

const STACK_FRAME = /\bat .*\.(js|ts):\d+/;

describe('errors are application/problem+json, never a stack', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '1024' });
  });
  afterAll(() => t.close());

  async function problem(res: Response) {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(STACK_FRAME);
    const body = JSON.parse(text);
    expect(body).toEqual(
      expect.objectContaining({ type: expect.any(String), title: expect.any(String) }),
    );
    expect(body.status).toBe(res.status);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    return body;
  }

  it('unknown route → 404 NOT_FOUND', async () => {
    const res = await fetch(`${t.baseUrl}/no/such/route`);
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('NOT_FOUND');
  });

  it('malformed JSON body → 400 MALFORMED_JSON', async () => {
    const res = await fetch(`${t.baseUrl}/api/counters/a/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('MALFORMED_JSON');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${t.baseUrl}/api/counters/a/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'a'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    // As the 413 before a body sent with Expect: 100-continue does: "Request body is too large"
    // left the client to guess how large it may be.
    expect(body.detail).toBe('The body exceeds the limit of 1024 bytes.');
  });

  it('malformed URL (caught by Fastify before routing) → 400 MALFORMED_URL', async () => {
    const res = await fetch(`${t.baseUrl}/api/items/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe('MALFORMED_URL');
  });

  it('unknown admin route → 404 problem+json on the admin port too', async () => {
    const res = await fetch(`${t.adminUrl}/nope`);
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('NOT_FOUND');
  });

  it('the process keeps serving after a burst of bad requests', async () => {
    // Sent here, so the test holds whether or not the ones above ran first.
    const bad = await Promise.all([
      fetch(`${t.baseUrl}/no/such/route`),
      fetch(`${t.baseUrl}/api/items/%E0%A4%A`),
      fetch(`${t.baseUrl}/api/counters/a/increment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      }),
      fetch(`${t.baseUrl}/api/counters/a/increment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: 'a'.repeat(4096) }),
      }),
    ]);
    expect(bad.map((r) => r.status)).toEqual([404, 400, 400, 413]);
    await Promise.all(bad.map((r) => r.arrayBuffer()));
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/hello`)).status).toBe(200);
  });
});
