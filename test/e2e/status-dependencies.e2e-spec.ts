/**
 * The admin status page with its dependencies away, in Chromium: with PostgreSQL and Redis
 * stopped (servers of the test's own), the page still renders and says which of them is down
 * and why, as /readyz does, with no console message or CSP violation on the way.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startOnThrowawayPostgres, type ThrowawayApp } from '../support/throwaway-app.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';
import { eventually } from '../support/wait.js';

/** The rows of the page's readiness table, as `name state detail`. */
async function checkRows(page: Page): Promise<string[]> {
  return page
    .locator('#checks tr')
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent).join(' ')),
    );
}

describe('status page: a dependency away is named, with its reason', () => {
  let redis: ThrowawayRedis;
  let db: ThrowawayApp;
  let browser: Browser;
  const messages: string[] = [];

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    db = await startOnThrowawayPostgres({ REDIS_URL: redis.url });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await db?.close();
    await redis?.stop();
  });

  it('lists every readiness check as up, then names the stopped database and Redis', async () => {
    const page = await browser.context.newPage();
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    await page.goto(`${db.t.adminUrl}/`);
    await eventually(async () => (await checkRows(page)).length > 0, 10_000, 100);
    const up = await checkRows(page);
    expect(up.map((row) => row.split(' ').slice(0, 2).join(' ')).sort()).toEqual([
      'database up',
      'event_loop up',
      'lifecycle up',
      'redis up',
    ]);
    expect(await page.getByTestId('readiness').innerText()).toBe('ready, every check up');

    await db.server.stopImmediate();
    await redis.stop();
    // Reads until the breaker has seen enough failures to open (DB_BREAKER_THRESHOLD).
    await eventually(
      async () =>
        (await fetch(`${db.t.baseUrl}/api/items/1`)).status === 503 &&
        (await (await fetch(`${db.t.probeUrl}/readyz`)).text()).includes('"breaker":"open"'),
      20_000,
      100,
    );
    await eventually(
      async () => {
        const summary = await page.getByTestId('readiness').innerText();
        return summary.includes('database') && summary.includes('redis');
      },
      20_000,
      100,
    );
    expect(await page.getByTestId('readiness').innerText()).toBe('degraded: database, redis');
    const rows = await checkRows(page);
    expect(rows.find((r) => r.startsWith('database '))).toMatch(
      /^database degraded .*breaker=open.*cause=DB_UNAVAILABLE/,
    );
    expect(rows.find((r) => r.startsWith('redis '))).toMatch(/^redis degraded .*connection=\w+/);
    expect(await page.locator('#checks tr td.bad, #checks tr td.warn').count()).toBe(2);
    // The reasons are long words: on a phone they wrap inside the card, not past it.
    for (const width of [1280, 390, 320]) {
      await page.setViewportSize({ width, height: 844 });
      const card = page.locator('section', { has: page.locator('#checks') });
      const [cardBox, tableBox] = [
        await card.boundingBox(),
        await card.locator('table').boundingBox(),
      ];
      const fits = tableBox!.x + tableBox!.width <= cardBox!.x + cardBox!.width;
      expect({ width, fits }).toEqual({ width, fits: true });
    }
    await page.screenshot({ path: browser.screenshot('status-dependencies-down'), fullPage: true });
    expect(messages).toEqual([]);
    await page.close();
  });
});
