import { Agent, fetch as undiciFetch } from 'undici';
import {
  adminQuery,
  createPostgresDatabase,
  defaultDatabaseEnv,
  type TestDatabase,
} from '../support/database.js';
import { json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('/api/counters: atomic increments across two running instances on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  // A socket per request (per instance), so all 2,500 are in flight at once.
  const agent = new Agent({ connections: 2_500 });

  beforeAll(async () => {
    // Two instances need one shared server: always the real PostgreSQL, PGlite or not.
    db = await createPostgresDatabase();
    // Pool, acquire timeout and deadline at their defaults: the hot row must not need them
    // raised. Edge admission is off and the listen backlog raised (to somaxconn) because 2,500
    // connections opened at once to one instance are past any concurrency limit and past the
    // default backlog of 511 by design (overflowing SYN cookies end in ECONNRESET); that is
    // not what this file tests.
    const env = {
      DATABASE_URL: db.url,
      ACCESS_LOG_ENABLED: 'false',
      ADMISSION_ENABLED: 'false',
      HTTP_MAX_CONNECTIONS: '0',
      HTTP_LISTEN_BACKLOG: '4096',
    };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(async () => {
    await agent.close();
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  const increment = (app: TestApp, name: string, body?: unknown) =>
    fetch(`${app.baseUrl}/api/counters/${name}/increment`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('2 instances × 2,500 concurrent increments of one counter → all 200, exactly 5,000, every value seen once', async () => {
    // Sockets opened first, so the increments arrive together rather than one per connect: the
    // client and both instances share this process's loop, and connects trickling in one by one
    // let each statement finish before the next increment arrives (4,030 statements seen once).
    await Promise.all(
      Array.from({ length: 5_000 }, async (_, i) => {
        const app = i % 2 === 0 ? a : b;
        const res = await undiciFetch(`${app.baseUrl}/api/counters/hits`, { dispatcher: agent });
        await res.arrayBuffer();
      }),
    );
    const responses = await Promise.all(
      Array.from({ length: 5_000 }, async (_, i) => {
        const app = i % 2 === 0 ? a : b;
        const res = await undiciFetch(`${app.baseUrl}/api/counters/hits/increment`, {
          method: 'POST',
          dispatcher: agent,
        });
        return { status: res.status, body: (await res.json()) as { value: number } };
      }),
    );
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    // Each increment saw a distinct new value: none read a stale value and wrote it back.
    const values = responses.map((r) => r.body.value).sort((x, y) => x - y);
    expect(values).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    for (const app of [a, b]) {
      const res = await fetch(`${app.baseUrl}/api/counters/hits`);
      expect(await json(res)).toEqual({ name: 'hits', value: 5_000 });
    }
    const [row] = await adminQuery<{ value: string }>(
      'SELECT value::text FROM counters WHERE name = $1',
      ['hits'],
      db.url,
    );
    expect(row?.value).toBe('5000');
    // Combined: each instance sent far fewer statements than it received increments.
    let statements = 0;
    for (const app of [a, b]) {
      const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
      const sample = (name: string) =>
        parsePrometheusText(text)
          .get('counters_increment_batch_size')
          ?.samples.find((s) => s.name === name)?.value;
      expect(sample('counters_increment_batch_size_sum')).toBe(2_500);
      statements += sample('counters_increment_batch_size_count') ?? NaN;
    }
    expect(statements).toBeLessThan(5_000 / 2);
  });

  it('`by` adds any integer, negative too; no body means 1; an unknown counter reads 0', async () => {
    expect(await json(await increment(a, 'steps', { by: 10 }))).toEqual({
      name: 'steps',
      value: 10,
    });
    expect(await json(await increment(b, 'steps', { by: -3 }))).toEqual({
      name: 'steps',
      value: 7,
    });
    expect(await json(await increment(a, 'steps'))).toEqual({ name: 'steps', value: 8 });
    expect(await json(await increment(b, 'steps', {}))).toEqual({ name: 'steps', value: 9 });
    const never = await fetch(`${a.baseUrl}/api/counters/never`);
    // A value stale at the next increment: no cache may keep it.
    expect(never.headers.get('cache-control')).toBe('no-store');
    expect(await json(never)).toEqual({ name: 'never', value: 0 });
    expect((await increment(a, 'steps')).headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['a fractional by', { by: 1.5 }, ['by']],
    ['a string by', { by: '1' }, ['by']],
    ['a huge by', { by: 1e12 }, ['by']],
    ['a boolean by', { by: true }, ['by']],
    ['an unknown field', { by: 1, step: 2 }, ['step']],
    ['an array body', [1], ['body']],
    // JSON null is a body, not the absence of one: it used to increment by 1.
    ['a null body', null, ['body']],
  ])('%s → 400 naming the field, counter unchanged', async (_label, body, fields) => {
    const res = await increment(a, 'guarded', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    expect((await json(await fetch(`${a.baseUrl}/api/counters/guarded`))).value).toBe(0);
    const rows = await adminQuery('SELECT 1 FROM counters WHERE name = $1', ['guarded'], db.url);
    expect(rows).toHaveLength(0);
  });

  // 101 and 5,000 characters: past Fastify's default 100-character parameter (it answered 414).
  it.each(['a b', 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(5_000), 'semi;colon'])(
    'invalid counter name %j → 400 naming name',
    async (name) => {
      const res = await increment(a, encodeURIComponent(name), { by: 1 });
      expect(res.status).toBe(400);
      expect((await json(res)).errors).toEqual([expect.objectContaining({ field: 'name' })]);
    },
  );

  it.each(['.', '..'])('counter name %j → 400 (only a raw client can send it)', async (name) => {
    const res = await rawRequest(
      Number(new URL(a.baseUrl).port),
      `POST /api/counters/${name}/increment HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it.each([
    ['past the limit, rounded into it by JSON.parse', '{"by":1000000000.0000000001}'],
    ['just under the limit, rounded up to it', '{"by":999999999.99999999999}'],
    ['a fraction that parses as 0', '{"by":1e-400}'],
  ])('by %s → 400, counter unchanged', async (_name, text) => {
    const res = await fetch(`${a.baseUrl}/api/counters/exact/increment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([expect.objectContaining({ field: 'by' })]);
    expect((await json(await fetch(`${a.baseUrl}/api/counters/exact`))).value).toBe(0);
  });

  it('an integer written with a zero fraction or an exponent adds what it denotes', async () => {
    for (const text of ['{"by":5.0}', '{"by":1e2}']) {
      const res = await fetch(`${a.baseUrl}/api/counters/written/increment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
      expect(res.status).toBe(200);
    }
    expect((await json(await fetch(`${a.baseUrl}/api/counters/written`))).value).toBe(105);
  });

  it('past the safe integer range → 409 COUNTER_OUT_OF_RANGE, value kept', async () => {
    await adminQuery(
      `INSERT INTO counters (name, value) VALUES ('edge', 9007199254740990)`,
      [],
      db.url,
    );
    const res = await increment(a, 'edge', { by: 5 });
    expect(res.status).toBe(409);
    expect((await json(res)).code).toBe('COUNTER_OUT_OF_RANGE');
    expect((await json(await fetch(`${b.baseUrl}/api/counters/edge`))).value).toBe(
      9007199254740990,
    );
  });

  it('concurrent increments on the default database (PGlite without DATABASE_URL) get distinct values', async () => {
    const own = await defaultDatabaseEnv();
    const app = await startTestApp({ ...own.env, ACCESS_LOG_ENABLED: 'false' });
    try {
      const values = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const res = await increment(app, 'local');
          expect(res.status).toBe(200);
          return (await json(res)).value as number;
        }),
      );
      expect(values.sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect((await json(await fetch(`${app.baseUrl}/api/counters/local`))).value).toBe(200);
    } finally {
      await app.close();
      await own.drop();
    }
  });
});
