/**
 * What a client's long headers cost the spans that record them: the attribute is cut to
 * OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, and the cut must not keep the whole header alive (a
 * 12 KB User-Agent held 12 KB per span in the /debug/tracez ring: telemetry/client-text.ts).
 */
import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../src/config/config.loader.js';
import { TELEMETRY_HANDLE } from '../../src/telemetry/telemetry.handle.js';
import { TelemetrySdk } from '../../src/telemetry/telemetry.sdk.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
// One full collection per reading: each walks jest's whole heap, which late in a run is large
// (a second one per reading cost this spec ~10 s of CI and changed no reading).
const heapAfterGc = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const TRACED = {
  OTEL_SDK_DISABLED: 'false',
  OTEL_TRACES_SAMPLER: 'always_on',
  // The ring keeps every span below a quarter of its size a second (span.store.ts): at the
  // default 4,096, a run alone on a fast machine sent more than 1,024 a second and the ring
  // thinned them, so fewer than both rounds' spans were held.
  TRACEZ_MAX_SPANS: '16384',
};
const REQUESTS = 1_000;
const WARM_UP = 300;

/** GET `path` with a User-Agent of its own, on a fresh connection; resolves with the status. */
function get(url: string, userAgent: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: { 'user-agent': userAgent } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    })
      .on('error', reject)
      .end();
  });
}

describe('spans of requests with long client headers', () => {
  let t: TestApp;
  const sdk = new TelemetrySdk();
  beforeAll(async () => {
    // No exporter: the recorded spans live in the /debug/tracez ring.
    sdk.start(loadConfig({ ...TEST_ENV, ...TRACED }), undefined);
    (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE] = sdk;
    t = await startTestApp(TRACED);
  });
  afterAll(async () => {
    await t.close();
    await sdk.shutdown();
    delete (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE];
  });

  /** Heap kept by REQUESTS more recorded spans whose User-Agent is `kb` KB long (the query at most 2 KB: 16 KiB of headers in all is the limit). */
  async function heapKeptBySpans(kb: number, requests = REQUESTS): Promise<number> {
    const before = heapAfterGc();
    for (let i = 0; i < requests; i++) {
      const agent = `agent-${i}-`.padEnd(kb * 1024, 'x');
      const query = `?q=${i}`.padEnd(Math.min(kb, 2) * 1024, 'y');
      // /status/200 defines no query, so any is taken (/hello's is strict: `?q` is its 400).
      // /version, which reads the cgroup's limits, left 0.8-5.3 KB a request from run to run.
      expect(await get(`${t.baseUrl}/status/200${query}`, agent)).toBe(200);
    }
    return heapAfterGc() - before;
  }

  it('hold the cut text only: a 12 KB User-Agent and 2 KB query cost a span ~2 KB more than short ones', async () => {
    // Unmeasured first: what the first requests of each kind allocate once and keep (compiled
    // code, the parsers' free list, lazily built state) is no span's.
    await heapKeptBySpans(0.01, WARM_UP);
    await heapKeptBySpans(12, WARM_UP);
    const short = await heapKeptBySpans(0.01);
    const long = await heapKeptBySpans(12);
    // Both rounds' spans are still in the ring.
    expect(sdk.spanStore?.stats().held).toBeGreaterThanOrEqual(2 * REQUESTS + 2 * WARM_UP);
    // The cut User-Agent and url.query are 1,024 characters each more than short ones (~1.8 KB
    // measured, ~0.7 KB before url.query was recorded); kept whole, the User-Agent alone would
    // be 12 KB a span, and a url.query sliced off the target would keep all of its 2 KB.
    expect((long - short) / REQUESTS).toBeLessThan(3 * 1024);
  });
});
