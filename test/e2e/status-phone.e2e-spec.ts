/**
 * The status page on a 320 px phone when the service's name has no place to break
 * (`com.example.payments.frontend_canary`): its 20 px heading ran past the screen and a phone
 * widened the whole page to fit it, every card with it.
 */
import { launchBrowser, type Browser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/wait.js';

const PHONE = { width: 320, height: 640 };
const NAME = 'com.example.payments.frontend_canary';

describe('status page on a 320 px phone (Chromium as a phone)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({ OTEL_SERVICE_NAME: NAME });
    browser = await launchBrowser(PHONE, { phone: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('wraps an unbreakable service name, with no sideways scroll', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.adminUrl}/`);
    await eventually(async () => (await page.locator('#service').innerText()) === NAME, 10_000);
    // A phone widens its layout to fit what overflows: the width stays the screen's only if
    // nothing does.
    const layout = await page.evaluate(
      '({ width: innerWidth, overflow: document.documentElement.scrollWidth - innerWidth })',
    );
    expect(layout).toEqual({ width: PHONE.width, overflow: 0 });
    await page.screenshot({ path: browser.screenshot('status-long-name-phone'), fullPage: true });
    await page.close();
  });
});
