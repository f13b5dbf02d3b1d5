import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { startChild, type Child } from '../support/child-process.js';
import { json } from '../support/http.js';

const TOKEN = 'profile-me-please';

/** Keeps the server's CPU busy with /hello requests until `signal` aborts. */
async function load(child: Child, signal: AbortSignal): Promise<void> {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (!signal.aborted) await (await fetch(`${child.baseUrl}/hello`)).text();
    }),
  );
}

function decode(body: ArrayBuffer): Profile {
  // Served gzip-compressed, as Go's net/http/pprof does: `go tool pprof` reads it as is.
  return Profile.decode(gunzipSync(Buffer.from(body)));
}

describe('pprof on the admin port (real child process)', () => {
  let child: Child;

  beforeAll(async () => {
    // No source-map flag: the profiler maps frames from dist/'s .map files itself.
    child = await startChild({
      DEBUG_PPROF_ENABLED: 'true',
      ADMIN_TOKEN: TOKEN,
      DEBUG_PPROF_MAX_SECONDS: '5',
    });
  });
  afterAll(async () => {
    child.process.kill('SIGKILL');
    await child.exited;
  });

  it('a 1 s CPU profile decodes as pprof, has samples, and maps frames to .ts sources', async () => {
    const stop = new AbortController();
    const busy = load(child, stop.signal);
    const res = await fetch(`${child.adminUrl}/debug/pprof/profile?seconds=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    stop.abort();
    await busy;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const profile = decode(await res.arrayBuffer());
    expect(profile.sample.length).toBeGreaterThan(0);
    const strings = profile.stringTable.strings;
    expect(strings.some((s) => /src\/.*\.ts$/.test(s))).toBe(true);
  });

  it('the heap profile decodes as pprof with in-use samples; ?token= works too', async () => {
    const res = await fetch(`${child.adminUrl}/debug/pprof/heap?token=${TOKEN}`);
    expect(res.status).toBe(200);
    const profile = decode(await res.arrayBuffer());
    const types = profile.sampleType.map((t) => profile.stringTable.strings[Number(t.type)]);
    expect(types).toEqual(['inuse_objects', 'inuse_space']);
    expect(profile.sample.length).toBeGreaterThan(0);
  });

  // Two at once on two connections (one connection begins a pipelined request only once the
  // answer ahead of it is written: protocol/pipelined-requests.listener.ts). Whichever reaches
  // the server first samples for 3 s; the other arrives meanwhile and is refused at once.
  it('one CPU profile at a time: of two at once, one answers 409', async () => {
    const profile = async () => {
      const answer = await fetch(`${child.adminUrl}/debug/pprof/profile?seconds=3`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: answer.status, body: await answer.arrayBuffer() };
    };
    const answers = await Promise.all([profile(), profile()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    const served = answers.find((a) => a.status === 200)!;
    const refusal = JSON.parse(Buffer.from(refused.body).toString()) as unknown;
    expect(refusal).toMatchObject({ code: 'PROFILE_IN_PROGRESS' });
    // A profile (an idle second may hold no samples: the first test loads the server).
    expect(() => decode(served.body)).not.toThrow();
  });

  // Each heap profile is built on the event loop: 60 at once were all built, one after another,
  // and held the public port meanwhile. Asked on 60 connections at once, the first is built and
  // the rest that arrive while it is are refused at once.
  it('one heap profile at a time: of 60 at once, the ones asked meanwhile answer 409', async () => {
    const heap = async () => {
      const answer = await fetch(`${child.adminUrl}/debug/pprof/heap?token=${TOKEN}`);
      return {
        status: answer.status,
        type: answer.headers.get('content-type'),
        body: await answer.arrayBuffer(),
      };
    };
    const answers = await Promise.all(Array.from({ length: 60 }, heap));
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.type).toContain('application/problem+json');
    expect(JSON.parse(Buffer.from(refused.body).toString())).toMatchObject({
      code: 'PROFILE_IN_PROGRESS',
      detail: 'A heap profile is already in progress; retry when it ends.',
    });
    expect(() => decode(answers.find((a) => a.status === 200)!.body)).not.toThrow();
    // Once they are answered, the next is served.
    expect((await heap()).status).toBe(200);
  });

  it('a CPU profile whose client went away stops sampling: the next one is served, not 409', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const gone = new AbortController();
    const abandoned = fetch(`${child.adminUrl}/debug/pprof/profile?seconds=5`, {
      ...auth,
      signal: gone.signal,
    }).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 300));
    gone.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    // The abandoned one would hold 409s for 4.7 s more; allow the server 1 s to see the close.
    const statuses: number[] = [];
    for (let tries = 0; tries < 10 && statuses.at(-1) !== 200; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 100));
      const next = await fetch(`${child.adminUrl}/debug/pprof/profile?seconds=1`, auth);
      await next.arrayBuffer();
      statuses.push(next.status);
    }
    expect(statuses.at(-1)).toBe(200);
  });

  // Number() would take most of the added ones: NaN, Infinity, -0, '' (0), 0x1 (1), ' 1' (1).
  it.each([
    '0',
    '6',
    'abc',
    '1.5',
    '-1',
    'NaN',
    '1e400',
    'Infinity',
    '-0',
    '',
    '0x1',
    '%201',
    '1%00',
    '1e0',
    '1'.padEnd(24, '0'),
  ])('seconds=%s → 400 naming the parameter', async (s) => {
    const res = await fetch(`${child.adminUrl}/debug/pprof/profile?seconds=${s}&token=${TOKEN}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(res)).errors).toEqual([expect.objectContaining({ field: 'seconds' })]);
  });

  it('seconds given twice → 400 saying so, nothing sampled', async () => {
    const res = await fetch(
      `${child.adminUrl}/debug/pprof/profile?seconds=1&seconds=2&token=${TOKEN}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(res)).errors).toEqual([
      { field: 'seconds', message: 'given more than once; send it once' },
    ]);
  });

  it.each([
    ['no token', {}],
    ['a wrong Bearer token', { authorization: 'Bearer nope' }],
    ['a token that is a prefix of the right one', { authorization: 'Bearer profile-me' }],
  ])('%s → 401 problem+json', async (_, headers) => {
    const res = await fetch(`${child.adminUrl}/debug/pprof/heap`, { headers });
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe('ADMIN_TOKEN_INVALID');
  });
});

describe('pprof disabled (the default)', () => {
  it('answers 404 on both paths', async () => {
    const child = await startChild({});
    try {
      for (const path of ['/debug/pprof/profile?seconds=1', '/debug/pprof/heap']) {
        expect((await fetch(`${child.adminUrl}${path}`)).status).toBe(404);
      }
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  });
});
