/**
 * The status page in a tab nobody looks at: another tab in front, a phone locked with the page
 * open. It polled /status.json every 2 s for as long as it stayed open, seen or not: a
 * forgotten tab asked the pod for figures all day. It must ask nothing while hidden and catch up
 * at once when shown again.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startChild, type Child } from '../support/child-process.js';
import { eventually } from '../support/wait.js';
import { REFRESH_MS } from '../../src/status/status.page.js';

/**
 * Tells the page it is hidden or shown, as the browser does when its tab goes to the back or
 * the front: headless Chromium keeps every page visible, and no DevTools call changes that.
 */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(
    `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });` +
      `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => ${JSON.stringify(hidden ? 'hidden' : 'visible')} });` +
      `document.dispatchEvent(new Event('visibilitychange'))`,
  );
}

/** How many times the page asks for /status.json while `during` runs. */
async function polls(page: Page, during: () => Promise<void>): Promise<number> {
  let count = 0;
  const count1 = (request: { url(): string }) => {
    if (new URL(request.url()).pathname === '/status.json') count++;
  };
  page.on('request', count1);
  try {
    await during();
  } finally {
    page.off('request', count1);
  }
  return count;
}

const wait = (page: Page, ms: number) => () => page.waitForTimeout(ms);

describe('status page: a hidden tab does not poll', () => {
  let child: Child;
  let browser: Browser;

  beforeAll(async () => {
    [child, browser] = await Promise.all([startChild({}), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    child?.process.kill('SIGTERM');
    await child?.exited;
  });

  it('asks nothing while hidden, then refreshes at once and polls again when shown', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${child.adminUrl}/`);
    await eventually(
      async () => (await page.getByTestId('updated').innerText()) !== 'never',
      10_000,
    );
    // Seen: it polls (the same span of time as hidden below).
    const span = 3 * REFRESH_MS;
    expect(await polls(page, wait(page, span))).toBeGreaterThanOrEqual(2);

    await setHidden(page, true);
    expect(await polls(page, wait(page, span))).toBe(0);

    // Shown again: fresh figures without waiting for a whole interval, then polling as before.
    const shown = polls(page, async () => {
      const asked = page.waitForRequest((r) => r.url().endsWith('/status.json'), {
        timeout: REFRESH_MS / 2,
      });
      await setHidden(page, false);
      await asked;
    });
    expect(await shown).toBe(1);
    expect(await polls(page, wait(page, span))).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});
