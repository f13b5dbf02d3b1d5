/**
 * /docs on a phone 320 px wide. The page had no `<meta name="viewport">`: a phone's browser
 * laid it out 980 px wide and shrank it to a third, its text about 4 px tall, readable only by
 * zooming and scrolling sideways. A desktop window ignores that tag, so only a browser that
 * behaves as a phone's shows it.
 */
import { launchBrowser, type Browser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PHONE = { width: 320, height: 640 };

describe('/docs on a 320 px phone (Chromium as a phone)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser(PHONE, { phone: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lays out at the phone width, unscaled, with no sideways scroll, operations open', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();
    // One answered with text, one taking a JSON body: each with its responses table.
    for (const id of ['hello-getHello', 'items-createItem']) {
      const operation = page.locator(`#operations-${id}`);
      await operation.locator('.opblock-summary-control').click();
      await operation.locator('.try-out__btn').click();
      await operation.locator('.responses-table').first().waitFor();
    }

    const layout = await page.evaluate(
      '({ width: innerWidth, scale: visualViewport.scale, overflow: document.documentElement.scrollWidth - innerWidth })',
    );
    expect(layout).toEqual({ width: PHONE.width, scale: 1, overflow: 0 });
    // Text as large as its style sheet says: not shrunk to fit a wider layout.
    const fontPx = await page.evaluate(
      "parseFloat(getComputedStyle(document.querySelector('.opblock-summary-path')).fontSize) * visualViewport.scale",
    );
    expect(fontPx).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: browser.screenshot('docs-phone'), fullPage: false });
    await page.close();
  });
});
