import { HELLO_MESSAGE } from '../../src/hello/hello.service.js';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('/docs in a real browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    // Debian's Chromium (.ci/run installs it); a missing binary fails the test, never skips it.
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists every operation, and "try it out" of GET /hello shows the live answer', async () => {
    const page = await browser.context.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${t.baseUrl}/docs`);

    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operationIds = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operationIds.length);
    const shown = await page
      .locator('.opblock-summary-path')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-path')));
    expect(new Set(shown)).toEqual(new Set(Object.keys(doc.paths)));

    const hello = page.locator('#operations-hello-getHello');
    await hello.locator('.opblock-summary').click();
    await hello.locator('.try-out__btn').click();
    await hello.locator('.execute').click();
    // The live answer's row (the table's first row is its header).
    const answer = hello.locator('.live-responses-table tr.response');
    await answer.waitFor();
    expect((await answer.locator('.response-col_status').innerText()).trim()).toBe('200');
    expect(await answer.locator('.response-col_description').innerText()).toContain(HELLO_MESSAGE);

    // Nothing came from anywhere else (no CDN, no online validator), and nothing broke.
    expect(requested.filter((url) => !url.startsWith(t.baseUrl))).toEqual([]);
    // The example `?delay=150ms` is filled in from the document.
    expect(requested).toContain(`${t.baseUrl}/hello?delay=150ms`);
    expect(pageErrors).toEqual([]);
  });

  // The item fields' patterns use the `u` flag's syntax (items.input.ts), which Swagger UI would
  // fail to compile without it: it compiles a parameter's pattern, and a body's never.
  it('"try it out" of POST /api/items sends its example and shows 201; its schema tab opens', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${t.baseUrl}/docs`);
    const create = page.locator('#operations-items-createItem');
    await create.locator('.opblock-summary').click();
    await create.locator('button.tablinks[data-name="model"]').first().click();
    await create.locator('.model-box').first().waitFor();
    await create.locator('.try-out__btn').click();
    await create.locator('.execute').click();
    const answer = create.locator('.live-responses-table tr.response');
    await answer.waitFor();
    expect((await answer.locator('.response-col_status').innerText()).trim()).toBe('201');
    expect(errors).toEqual([]);
    await page.close();
  });

  // Swagger UI fills every parameter from its example, optional headers too: GET sent
  // If-Match and If-None-Match "1.1", and answered 412 (or 304) for any item, never the item.
  it('"try it out" of GET /api/items/{id}, only the id filled in, shows the item', async () => {
    const created = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tried from the docs' }),
    });
    const { id } = (await created.json()) as { id: string };
    const page = await browser.context.newPage();
    await page.goto(`${t.baseUrl}/docs`);
    const get = page.locator('#operations-items-getItem');
    await get.locator('.opblock-summary').click();
    await get.locator('.try-out__btn').click();
    await get.locator('input[placeholder="id"]').fill(id);
    await get.locator('.execute').click();
    const answer = get.locator('.live-responses-table tr.response');
    await answer.waitFor();
    expect((await answer.locator('.response-col_status').innerText()).trim()).toBe('200');
    expect(await answer.locator('.response-col_description').innerText()).toContain(
      'tried from the docs',
    );
    await page.close();
  });
});
