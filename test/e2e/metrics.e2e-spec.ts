import { get } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { readCgroupLimits } from '../../src/version/cgroup.limits.js';
import { hasPromtool, promtoolFindings } from '../support/promtool.js';
import { parsePrometheusText, sampleValue, type Family } from '../support/prometheus-text.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HelloService } from '../../src/hello/hello.service.js';
import { eventually, until } from '../support/wait.js';

// Without promtool the strict parser alone judges the text, and the test says so in its name.

async function scrape(t: TestApp): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await fetch(`${t.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  const text = await res.text();
  return { text, families: parsePrometheusText(text) };
}

const helloCount = (families: Map<string, Family>, status = '200', route = '/hello') =>
  sampleValue(families, 'http_server_request_duration_seconds_count', {
    http_route: route,
    http_request_method: 'GET',
    http_response_status_code: status,
  }) ?? 0;

describe('GET /metrics on the admin port (real listener)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it(`passes ${hasPromtool ? 'promtool check metrics and ' : ''}the strict exposition parser`, async () => {
    await (await fetch(`${t.baseUrl}/hello`)).text();
    await (await fetch(`${t.baseUrl}/nowhere`)).text();
    const { text } = await scrape(t);
    if (hasPromtool) expect(promtoolFindings(text)).toEqual([]);
  });

  it('the request histogram counts by route template, method and status', async () => {
    const before = (await scrape(t)).families;
    for (let i = 0; i < 3; i++) await (await fetch(`${t.baseUrl}/hello`)).text();
    await (await fetch(`${t.baseUrl}/hello?delay=nope`)).text();
    await (await fetch(`${t.baseUrl}/no/such/${Date.now()}`)).text();
    const after = (await scrape(t)).families;
    expect(helloCount(after) - helloCount(before)).toBe(3);
    expect(helloCount(after, '400') - helloCount(before, '400')).toBe(1);
    // Unknown paths share one series: the raw URL never becomes a label.
    expect(helloCount(after, '404', 'unmatched') - helloCount(before, '404', 'unmatched')).toBe(1);
    const sum = sampleValue(after, 'http_server_request_duration_seconds_sum', {
      http_route: '/hello',
      http_response_status_code: '200',
    });
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(5);
  });

  // OTel HTTP semconv: http.request.method is `_OTHER` for a method outside the known ones.
  // Node's parser takes ~35 methods (WebDAV's, PURGE, ...): each was a series of its own.
  it('counts a method outside the known ones as _OTHER, and QUERY, a known one, by name', async () => {
    const port = Number(new URL(t.baseUrl).port);
    const methodCounts = (families: Map<string, Family>) => {
      const counts: Record<string, number> = {};
      for (const sample of families.get('http_server_request_duration_seconds')!.samples) {
        if (!sample.name.endsWith('_count')) continue;
        const method = sample.labels.http_request_method!;
        counts[method] = (counts[method] ?? 0) + sample.value;
      }
      return counts;
    };
    const before = methodCounts((await scrape(t)).families);
    // /hello takes GET and HEAD: 405 with its Allow; nothing takes /no/such: 404.
    const sent = [
      ['PROPFIND /hello', 405],
      ['MKCOL /no/such', 404],
      ['PURGE /hello', 405],
      ['QUERY /hello', 405],
    ] as const;
    for (const [line, status] of sent) {
      const res = await rawRequest(port, `${line} HTTP/1.1\r\nHost: a\r\n\r\n`, { lingerMs: 0 });
      expect([line, res.status]).toEqual([line, status]);
    }
    const after = methodCounts((await scrape(t)).families);
    expect((after._OTHER ?? 0) - (before._OTHER ?? 0)).toBe(3);
    expect((after.QUERY ?? 0) - (before.QUERY ?? 0)).toBe(1);
    for (const method of ['PROPFIND', 'MKCOL', 'PURGE']) expect(after[method]).toBeUndefined();
  });

  it('a route answering any status a client asks for adds at most 16 statuses and their classes', async () => {
    // GET /status/:code answers 200-599: one series per status would be 400 histograms.
    for (let code = 200; code < 600; code++) {
      // node:http, not fetch: fetch makes a 407 a network error (Fetch standard, HTTP-network fetch).
      await new Promise((resolve, reject) => {
        get(`${t.baseUrl}/status/${code}`, { agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    }
    const families = (await scrape(t)).families;
    const statuses = families
      .get('http_server_request_duration_seconds')!
      .samples.filter((s) => s.name.endsWith('_count') && s.labels.http_route === '/status/:code')
      .map((s) => [s.labels.http_response_status_code, s.value] as const);
    expect(statuses.length).toBeLessThanOrEqual(16 + 4);
    // Every request is counted: the first 16 statuses apart, the rest under their class.
    expect(statuses.reduce((sum, [, count]) => sum + count, 0)).toBe(400);
    expect(statuses.map(([status]) => status)).toEqual(expect.arrayContaining(['200', '5xx']));
    const fiveHundreds = statuses.find(([status]) => status === '5xx')![1];
    expect(fiveHundreds).toBe(100);
    if (hasPromtool) expect(promtoolFindings((await scrape(t)).text)).toEqual([]);
  });

  it('in-flight requests are a gauge that goes up while a request waits and back down', async () => {
    const active = async () =>
      sampleValue((await scrape(t)).families, 'http_server_active_requests');
    // Scraped while the request is known to be inside its wait, not after a guessed sleep; and
    // it waits until the test lets it go: a 2 s wait of its own could end before a busy process
    // had scraped.
    const leaving = new AbortController();
    const slow = fetch(`${t.baseUrl}/hello?delay=30s`, { signal: leaving.signal }).catch(
      () => 'left',
    );
    await until(() => t.app.get(HelloService).waiting === 1, 10_000);
    expect(await active()).toBeGreaterThanOrEqual(1);
    leaving.abort();
    expect(await slow).toBe('left');
    await eventually(async () => (await active()) === 0, 10_000);
  });

  it('exposes event-loop delay and utilization, GC pauses, heap, log drops, the span pipeline', async () => {
    const { families } = await scrape(t);
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_utilization_ratio',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
      'otel_sdk_span_dropped_total',
      'otel_sdk_span_exported_total',
      'otel_sdk_processor_span_queue_size',
      'log_lines_dropped_total',
    ]) {
      expect([name, families.has(name)]).toEqual([name, true]);
    }
    const elu = sampleValue(families, 'nodejs_eventloop_utilization_ratio') ?? -1;
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(1);
    // The *_total gauges promtool rejects are gone; their per-type siblings stay.
    expect(families.has('nodejs_active_handles_total')).toBe(false);
    expect(families.has('nodejs_active_handles')).toBe(true);
  });

  it("exposes the container's limits as the kernel enforces them (unlimited: no series) and V8's heap ceiling", async () => {
    const { families } = await scrape(t);
    const limits = await readCgroupLimits();
    for (const [name, value] of [
      ['process_cpu_limit_cores', limits.cpu],
      ['process_memory_limit_bytes', limits.memoryBytes],
    ] as const) {
      expect([name, families.has(name)]).toEqual([name, true]);
      const sample = sampleValue(families, name, { cgroup: limits.cgroup });
      expect([name, sample]).toEqual([name, value === 'unlimited' ? undefined : value]);
    }
    expect(sampleValue(families, 'nodejs_heap_size_limit_bytes')).toBe(
      getHeapStatistics().heap_size_limit,
    );
  });
});

describe('METRICS_ENABLED=false', () => {
  it('serves no /metrics (404) and records nothing', async () => {
    const t = await startTestApp({ METRICS_ENABLED: 'false' });
    try {
      expect((await fetch(`${t.adminUrl}/metrics`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('the strict exposition parser (used when promtool is absent)', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total 1\n';
  it.each([
    ['a gauge named _total', '# HELP x_total X.\n# TYPE x_total gauge\nx_total 1\n'],
    ['a counter without _total', '# HELP x X.\n# TYPE x counter\nx 1\n'],
    ['no HELP', '# TYPE x gauge\nx 1\n'],
    ['a bad label', '# HELP x X.\n# TYPE x gauge\nx{1a="v"} 1\n'],
    ['a duplicate series', '# HELP x X.\n# TYPE x gauge\nx 1\nx 2\n'],
    ['a non-numeric value', '# HELP x X.\n# TYPE x gauge\nx one\n'],
    [
      'non-cumulative buckets',
      '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3\n',
    ],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
  it('accepts a valid counter', () => {
    expect(parsePrometheusText(ok).get('a_total')?.samples[0]?.value).toBe(1);
  });
});
