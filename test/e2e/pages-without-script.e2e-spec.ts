/**
 * Every HTML page in Chromium with JavaScript off. The landing page and the trace view are
 * rendered on the server and read the same; the status page and /docs are filled in by a
 * script, so each says so and links to the JSON it would have shown.
 */
import { launchBrowser, type Browser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('the pages with JavaScript off', () => {
  let t: TestApp;
  let off: Browser;
  let on: Browser;

  beforeAll(async () => {
    t = await startTestApp({ UI_MESSAGE: 'no script needed' });
    [off, on] = await Promise.all([
      launchBrowser(undefined, { javaScriptEnabled: false }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([off?.close(), on?.close()]);
    await t?.close();
  });

  it('the landing page and the trace view read the same without a script', async () => {
    const page = await off.context.newPage();
    await page.goto(`${t.baseUrl}/`);
    expect(await page.getByTestId('message').innerText()).toBe('no script needed');
    await page.goto(`${t.adminUrl}/debug/tracez`);
    expect(await page.getByTestId('not-started').innerText()).toContain('Tracing did not start');
    await page.close();
  });

  it.each([
    ['status page', 'admin', '/', '/status.json'],
    ['API docs', 'public', '/docs', '/openapi.json'],
  ])('the %s says it needs a script and links to its JSON', async (_name, port, path, json) => {
    const base = port === 'admin' ? t.adminUrl : t.baseUrl;
    const page = await off.context.newPage();
    await page.goto(`${base}${path}`);
    const notice = page.getByTestId('noscript');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.innerText()).toMatch(/JavaScript/);
    const href = await notice.getByRole('link').getAttribute('href');
    expect(new URL(href!, page.url()).href).toBe(`${base}${json}`);
    const answer = await fetch(new URL(href!, page.url()));
    expect([answer.status, answer.headers.get('content-type')]).toEqual([
      200,
      expect.stringMatching(/^application\/json/) as string,
    ]);
    await page.close();

    // With a script the notice is not shown.
    const scripted = await on.context.newPage();
    await scripted.goto(`${base}${path}`);
    expect(await scripted.getByTestId('noscript').isVisible()).toBe(false);
    await scripted.close();
  });
});
