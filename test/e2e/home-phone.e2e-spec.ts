/**
 * The landing page on a 320 px phone when the service's name has no place to break: a dotted
 * or underscored OTEL_SERVICE_NAME (`com.example.payments.frontend`), shown as a 28 px heading.
 * Only UI_MESSAGE could wrap anywhere: the name ran past its card and the screen, cut off on
 * the right of a page that then scrolled sideways.
 */
import { launchBrowser, type Browser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PHONE = { width: 320, height: 640 };
const NAME = 'com.example.payments.frontend_canary';

describe('landing page on a 320 px phone (Chromium as a phone)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({
      OTEL_SERVICE_NAME: NAME,
      SERVICE_VERSION: '1.4.2-rc.1+sha.0123456789abcdef0123',
    });
    browser = await launchBrowser(PHONE, { phone: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('wraps an unbreakable service name inside its card, with no sideways scroll', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.baseUrl}/`);
    expect(await page.getByTestId('service').innerText()).toBe(NAME);
    // A phone widens its layout to fit what overflows: the width stays the screen's only if
    // nothing does.
    const layout = await page.evaluate(
      '({ width: innerWidth, overflow: document.documentElement.scrollWidth - innerWidth })',
    );
    expect(layout).toEqual({ width: PHONE.width, overflow: 0 });
    // Every line of text inside the card, none past its edge.
    const card = (await page.getByTestId('home').boundingBox())!;
    for (const id of ['service', 'version', 'pod']) {
      // The text's own box (a range), not the element's: text overflows the box it is in.
      const element = (await page.evaluate(
        `(() => { const range = document.createRange();` +
          ` range.selectNodeContents(document.querySelector('[data-testid=${id}]'));` +
          ` const box = range.getBoundingClientRect(); return { left: box.left, right: box.right }; })()`,
      )) as { left: number; right: number };
      expect({
        id,
        inside: element.left >= card.x && element.right <= card.x + card.width,
      }).toEqual({
        id,
        inside: true,
      });
    }
    await page.screenshot({ path: browser.screenshot('home-phone'), fullPage: true });
    await page.close();
  });
});
