import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Page } from 'playwright-core';
import { accessibleNames } from '../support/accessibility-tree.js';
import { launchBrowser, type Browser } from '../support/browser.js';
import { freePort, type Child } from '../support/child-process.js';
import { lowContrast } from '../support/contrast.js';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.js';
import { startTraced } from '../support/traced-child.js';

// A real PostgreSQL: the pg instrumentation patches the `pg` driver, not embedded PGlite.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// With a '+', which a URL carries as a plus and an HTML form would read as a space.
const ADMIN_TOKEN = `${randomBytes(16).toString('hex')}+admin`;
const UI_MESSAGE = '<b>canary</b> & friends';

type Text = (testId: string) => Promise<string>;

/**
 * Polls, from the test's side, until `check` holds for the page's texts: the status page
 * refreshes itself every 2 s. (waitForFunction would evaluate code in the page, which the
 * pages' Content-Security-Policy rightly refuses.)
 */
async function until(page: Page, what: string, check: (text: Text) => Promise<boolean>) {
  const text: Text = (testId) => page.getByTestId(testId).innerText();
  const deadline = Date.now() + 30_000;
  while (!(await check(text))) {
    if (Date.now() > deadline) throw new Error(`the page never showed ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every URL a page asked for, to prove it loads nothing from anywhere but rampart. */
function requestsOf(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

describe('the status page, the landing page and /debug/tracez in Chromium', () => {
  const receiver = new OtlpReceiver();
  let child: Child;
  let browser: Browser;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    // A backend nobody listens on: its breaker opens after two failed calls.
    const deadBackend = `http://127.0.0.1:${await freePort()}`;
    // Settled one by one: when one of them fails, afterAll still stops the one that started.
    const [started, launched] = await Promise.allSettled([
      startTraced(endpoint, {
        DATABASE_URL,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1',
        ADMISSION_ENABLED: 'true',
        ADMIN_TOKEN,
        UI_COLOR: '#34577c',
        UI_MESSAGE,
        BACKEND_URLS: deadBackend,
        UPSTREAM_BREAKER_THRESHOLD: '2',
        UPSTREAM_RETRY_MAX: '0',
      }),
      launchBrowser(),
    ]);
    if (started.status === 'fulfilled') child = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const outcome of [started, launched]) {
      if (outcome.status === 'rejected') throw outcome.reason;
    }
  });

  afterAll(async () => {
    await browser?.close();
    child?.process.kill('SIGTERM');
    await child?.exited;
    await receiver.close();
  });

  it('status page: renders on a phone, then shows what real requests changed', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const urls = requestsOf(page);
    await page.goto(`${child.adminUrl}/?token=${ADMIN_TOKEN}`);
    await until(page, 'a first refresh', async (text) => (await text('updated')) !== 'never');
    const text = (id: string) => page.getByTestId(id).innerText();
    expect(await text('pod')).toBe(hostname());
    expect(await text('admission-limit')).toBe('100');
    expect(await text('db-breaker')).toBe('closed');
    expect(await page.locator('#errors tr').count()).toBe(0);

    // Requests that move the numbers: a slow one held in flight, a cache miss then hits, a
    // coded 400, and calls to a dead backend until its breaker opens.
    const slow = fetch(`${child.baseUrl}/hello?delay=8000`);
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'status page' }),
    });
    const { id } = (await created.json()) as { id: string };
    for (let i = 0; i < 3; i++) await (await fetch(`${child.baseUrl}/api/items/${id}`)).text();
    expect((await fetch(`${child.baseUrl}/api/items/not-an-id`)).status).toBe(400);
    // The longest code a table row gets here: it must wrap inside its card on a phone.
    const late = await fetch(`${child.baseUrl}/hello?delay=500`, {
      headers: { 'x-request-timeout': '1ms' },
    });
    expect(late.status).toBe(504);
    for (let i = 0; i < 3; i++) await (await fetch(`${child.baseUrl}/api/fanout`)).text();

    await until(page, 'the slow request in flight', async (text) => {
      return Number(await text('in-flight')) >= 1;
    });
    await until(page, 'the error, the open breaker, cache and pool figures', async (text) => {
      return (
        (await text('errors')).includes('INVALID_INPUT') &&
        (await text('errors')).includes('REQUEST_DEADLINE_EXCEEDED') &&
        (await text('upstreams')).includes('open') &&
        !(await text('cache-ratio')).startsWith('—') &&
        !(await text('db-p99')).startsWith('—')
      );
    });
    expect(await text('cache-ratio')).toMatch(/^\d+\.\d %/);
    expect(await text('db-p99')).toMatch(/^[≤>] [\d.]+ ms$/);
    const errorRow = page.locator('#errors tr', { hasText: 'INVALID_INPUT' });
    expect(await errorRow.locator('td').allInnerTexts()).toEqual(['INVALID_INPUT', '1', '1']);
    const upstream = page.locator('#upstreams tr');
    expect(await upstream.locator('td').nth(1).innerText()).toBe('open');
    expect(await text('traces')).toMatch(/^[1-9]\d* of 4096 spans held/);

    // Readable on a phone: nothing wider than the screen, no table wider than its card.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    for (const width of [390, 375, 320]) {
      await page.setViewportSize({ width, height: 844 });
      for (const card of await page.locator('section', { has: page.locator('table') }).all()) {
        const [cardBox, tableBox] = [
          await card.boundingBox(),
          await card.locator('table').boundingBox(),
        ];
        expect(tableBox!.x + tableBox!.width).toBeLessThanOrEqual(cardBox!.x + cardBox!.width);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    // Its own colours only: /docs' style sheet is not loaded here (every URL is checked below).
    expect((await lowContrast(page)).low).toEqual([]);
    await page.screenshot({ path: browser.screenshot('status-phone'), fullPage: true });
    expect(urls.every((u) => u.startsWith(child.adminUrl))).toBe(true);
    expect((await slow).status).toBe(200);
    expect(await text('in-flight')).toMatch(/^\d+$/);
    // Open public connections, not held at rest (no "(held: …)" suffix).
    expect(await text('connections')).toMatch(/^\d+$/);
    await page.close();
  });

  it('public page: a browser gets service, version, pod, UI_COLOR and the escaped UI_MESSAGE', async () => {
    const page = await browser.context.newPage();
    const urls = requestsOf(page);
    const response = await page.goto(`${child.baseUrl}/`);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.getByTestId('service').innerText()).toBe('rampart-test');
    expect(await page.getByTestId('version').innerText()).toBe('0.1.0');
    expect(await page.getByTestId('pod').innerText()).toBe(hostname());
    // Shown as text, not markup.
    expect(await page.getByTestId('message').innerText()).toBe(UI_MESSAGE);
    expect(await page.getByTestId('message').locator('b').count()).toBe(0);
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(52, 87, 124)');
    expect((await lowContrast(page)).low).toEqual([]);
    await page.screenshot({ path: browser.screenshot('home'), fullPage: true });
    expect(urls).toEqual([`${child.baseUrl}/`]);
    await page.close();

    const json = await fetch(`${child.baseUrl}/`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('vary')).toMatch(/accept/i);
    expect(await json.json()).toEqual({
      service: 'rampart-test',
      version: '0.1.0',
      pod: hostname(),
      color: '#34577c',
      message: UI_MESSAGE,
    });
  });

  it('/docs: Swagger UI renders every operation from /openapi.json, with no warning', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${child.baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    // Swagger UI puts what it cannot read of the document above the operations.
    expect(await page.locator('.errors-wrapper').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/not supported|jsonSchemaDialect/i);
    await page.screenshot({ path: browser.screenshot('docs'), fullPage: false });
    await page.close();
  });

  it("tracez: a traced request's spans appear by name, and its trace as a waterfall", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const created = await fetch(`${child.baseUrl}/api/items`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      body: JSON.stringify({ name: 'traced' }),
    });
    expect(created.status).toBe(201);
    // The same spans still reach the OTLP endpoint: the page complements the export.
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.kind === SPAN_KIND.SERVER),
    );

    const page = await browser.context.newPage();
    const urls = requestsOf(page);
    await page.goto(`${child.adminUrl}/?token=${ADMIN_TOKEN}`);
    await page.locator('#tracez-link').click();
    await page.getByTestId('summary').waitFor();
    expect(Number(await page.getByTestId('held').innerText())).toBeGreaterThan(0);
    await page
      .getByTestId('summary')
      .getByRole('link', { name: 'POST /api/items', exact: true })
      .click();
    await page.getByTestId('spans').getByRole('link', { name: traceId }).click();

    const rows = page.locator('[data-testid=waterfall] tr[data-span]');
    await rows.first().waitFor();
    const spans = [];
    for (const row of await rows.all()) {
      const indent = /padding-left:([\d.]+)px/.exec(
        (await row.locator('td.name').getAttribute('style')) ?? '',
      );
      const bar = /left:([\d.]+)%;width:([\d.]+)%/.exec(
        (await row.locator('.bar').getAttribute('style')) ?? '',
      );
      spans.push({
        name: await row.getAttribute('data-span'),
        indent: Number(indent?.[1]),
        left: Number(bar?.[1]),
        width: Number(bar?.[2]),
      });
    }
    // The server span first, spanning the trace; the database's spans nested under it, later.
    expect(spans[0]).toMatchObject({ name: 'POST /api/items', left: 0, width: 100 });
    const query = spans.find((s) => s.name?.startsWith('pg.query'));
    expect(query).toBeDefined();
    expect(query!.indent).toBeGreaterThan(spans[0]!.indent);
    expect(query!.left).toBeGreaterThan(0);
    expect(query!.width).toBeLessThan(100);
    // No bar reaches past its track (in pixels, as drawn).
    const pastTrack = await page.evaluate(
      "Math.max(...[...document.querySelectorAll('.track')].map((t) => t.firstElementChild.getBoundingClientRect().right - t.getBoundingClientRect().right))",
    );
    expect(pastTrack).toBeLessThanOrEqual(0.5);
    expect(page.url()).toContain(`token=${encodeURIComponent(ADMIN_TOKEN)}`);
    await page.screenshot({ path: browser.screenshot('tracez-waterfall'), fullPage: true });
    expect(urls.every((u) => u.startsWith(child.adminUrl))).toBe(true);
    await page.close();
  });

  it('tracez: a failed span says "error" in its row, to a reader who cannot tell red and to a screen reader', async () => {
    const traced = async (path: string, status: number): Promise<string> => {
      const traceId = randomBytes(16).toString('hex');
      const res = await fetch(`${child.baseUrl}${path}`, {
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      expect(res.status).toBe(status);
      await res.arrayBuffer();
      await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId));
      return traceId;
    };
    const failed = await traced('/status/503', 503);
    const fine = await traced('/status/200', 200);
    const page = await browser.context.newPage();

    await page.goto(`${child.adminUrl}/debug/tracez?trace=${failed}`);
    const row = page.locator('[data-testid=waterfall] tr[data-span="GET /status/:code"]');
    expect(await row.locator('td.name').innerText()).toMatch(/^error\b/);
    expect(await row.locator('.failed').isVisible()).toBe(true);
    expect((await lowContrast(page)).low).toEqual([]);
    // What a screen reader announces for the span's cell (the column headed "span").
    const cells = await accessibleNames(page, '[data-testid=waterfall]', 'cell');
    expect(cells.filter((name) => name.includes('GET /status/:code'))).toEqual([
      expect.stringMatching(/^error GET \/status\/:code\b/),
    ]);

    await page.goto(`${child.adminUrl}/debug/tracez?name=GET /status/:code&view=failed`);
    const listed = page.getByTestId('spans').locator('tr', { hasText: failed });
    expect(await listed.locator('td').nth(2).innerText()).toMatch(/^error\b/);

    // A span that did not fail carries no such word.
    await page.goto(`${child.adminUrl}/debug/tracez?trace=${fine}`);
    await page.getByTestId('waterfall').waitFor();
    expect(await page.locator('[data-testid=waterfall] .failed').count()).toBe(0);
    expect(await accessibleNames(page, '[data-testid=waterfall]', 'cell')).not.toContainEqual(
      expect.stringMatching(/\berror\b/),
    );
    await page.close();
  });

  it('tracez: a client-chosen 8 KB User-Agent and path leave every row on screen', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${child.baseUrl}/hello/${'p'.repeat(3000)}`, {
      headers: {
        'user-agent': 'A'.repeat(8000),
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
    });
    expect(res.status).toBe(404);
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId));
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    for (const query of [`trace=${traceId}`, 'name=GET&view=recent']) {
      await page.goto(`${child.adminUrl}/debug/tracez?${query}`);
      // The tables scroll inside their card: measure how far the widest one reaches.
      const overflow = await page.evaluate(
        "Math.max(...[...document.querySelectorAll('table')].map((t) => t.getBoundingClientRect().right)) > window.innerWidth ? 1 : 0",
      );
      expect({ query, overflow }).toEqual({ query, overflow: 0 });
    }
    // The status page's script runs under a CSP that allows it by hash, and no other.
    const status = await page.goto(`${child.adminUrl}/`);
    expect(status?.headers()['content-security-policy']).toMatch(/script-src 'sha256-[^']+';/);
    expect(status?.headers()['content-security-policy']).not.toMatch(
      /unsafe-inline'[^;]*script|script-src[^;]*unsafe-inline/,
    );
    await until(page, 'a first refresh', async (text) => (await text('updated')) !== 'never');
    expect(violations).toEqual([]);
    await page.close();
  });
});
