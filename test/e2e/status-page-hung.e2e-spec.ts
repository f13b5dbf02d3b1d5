/**
 * The status page when the process behind it stops answering without refusing: a frozen pod,
 * a port-forward that hangs, an event loop blocked. Its refresh then neither succeeds nor
 * fails; the page kept showing the last figures as current, for as long as the hang lasted.
 * It must say they are stale, and stop saying so once answers come again.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startChild, type Child } from '../support/child-process.js';
import { eventually } from '../support/wait.js';

const stale = (page: Page) => page.locator('#stale').isVisible();

describe('status page: a process that hangs is shown stale', () => {
  let child: Child;
  let browser: Browser;

  beforeAll(async () => {
    [child, browser] = await Promise.all([startChild({}), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    child?.process.kill('SIGCONT');
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  it('turns stale while the process is stopped (SIGSTOP), and fresh once it runs again', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${child.adminUrl}/`);
    await eventually(
      async () => (await page.getByTestId('updated').innerText()) !== 'never',
      10_000,
    );
    expect(await stale(page)).toBe(false);

    child.process.kill('SIGSTOP');
    try {
      // Connections are still accepted by the kernel; nothing answers.
      await eventually(() => stale(page), 15_000, 100);
    } finally {
      child.process.kill('SIGCONT');
    }
    const updated = await page.getByTestId('updated').innerText();
    await eventually(
      async () =>
        !(await stale(page)) && (await page.getByTestId('updated').innerText()) !== updated,
      15_000,
      100,
    );
    await page.close();
  });
});
