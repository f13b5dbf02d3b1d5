import type { Page } from 'playwright-core';
import {
  accessibilityTree,
  headingJumps,
  headingsNamedOtherThanShown,
  placeholderNamed,
} from '../support/accessibility-tree.js';
import { launchBrowser, type Browser } from '../support/browser.js';
import { lowContrast } from '../support/contrast.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Swagger UI renders every open operation's examples at once: on a busy 2-core machine opening
// all of them took 30-70 s. Waits are for the page to get there, not measurements of it.
const RENDER_MS = 180_000;

/** Clicks, in one pass in the page, every element `selector` matches (with `text`, if given). */
async function clickAll(page: Page, selector: string, text?: string): Promise<number> {
  return (await page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})]` +
      (text === undefined
        ? ''
        : `.filter((e) => e.textContent.trim() === ${JSON.stringify(text)})`) +
      '.map((e) => e.click()).length',
  )) as number;
}

/** Waits until `selector` matches at least `count` elements. */
async function rendered(page: Page, selector: string, count: number): Promise<void> {
  await page
    .locator(selector)
    .nth(count - 1)
    .waitFor({ timeout: RENDER_MS });
}

describe('/docs read without colour vision to spare or by a screen reader (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    // Debian's Chromium (.ci/run installs it); a missing binary fails the test, never skips it.
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('as it opens: no text under 4.5:1, headings go down one level at a time, each named by its text', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();

    const contrast = await lowContrast(page);
    expect(contrast.measured).toBeGreaterThan(50);
    expect(contrast.low).toEqual([]);
    const tree = await accessibilityTree(page);
    expect(tree.find((e) => e.role === 'heading')).toMatchObject({ level: 1 });
    expect(headingJumps(tree)).toEqual([]);
    // The tags' headings hold their toggle button: each is named "chaos", not "chaos Collapse operation".
    expect(tree.filter((e) => e.role === 'heading').map((e) => e.name)).toContain('chaos');
    expect(headingsNamedOtherThanShown(tree)).toEqual([]);
    await page.close();
  });

  it(
    'every operation open, tried out and sent: no text under 4.5:1, headings one level at a ' +
      'time and named by their text, every field named as its row or section shows it',
    async () => {
      const page = await browser.context.newPage();
      await page.goto(`${t.baseUrl}/docs`);
      await page.locator('.opblock').first().waitFor();
      const operations = await page.locator('.opblock').count();

      // Open: parameters, responses and their example values.
      await clickAll(page, '.opblock-summary-control');
      await rendered(page, '.opblock .opblock-body', operations);
      const open = await lowContrast(page);
      expect(open.low).toEqual([]);
      const openTree = await accessibilityTree(page);
      expect(headingJumps(openTree)).toEqual([]);
      expect(headingsNamedOtherThanShown(openTree)).toEqual([]);
      expect(placeholderNamed(openTree)).toEqual([]);

      // Schemas instead of examples, fields enabled, one request sent and its answer shown.
      const schemas = await clickAll(page, '.opblock .tab button', 'Schema');
      expect(schemas).toBeGreaterThan(0);
      await rendered(page, '.opblock .model-box', schemas);
      expect(await clickAll(page, '.models .json-schema-2020-12-accordion')).toBeGreaterThan(0);
      await clickAll(page, '.try-out__btn');
      await rendered(page, '.opblock .execute', operations);
      const hello = page.locator('#operations-hello-getHello');
      await hello.locator('.execute').click();
      await hello.locator('.live-responses-table tr.response').waitFor({ timeout: RENDER_MS });

      const tried = await lowContrast(page);
      expect(tried.measured).toBeGreaterThan(open.measured / 2);
      expect(tried.low).toEqual([]);
      const triedTree = await accessibilityTree(page);
      expect(headingJumps(triedTree)).toEqual([]);
      expect(headingsNamedOtherThanShown(triedTree)).toEqual([]);
      expect(placeholderNamed(triedTree)).toEqual([]);
      const fields = triedTree.filter((e) => e.role === 'textbox').map((e) => e.name);
      expect(fields).toEqual(
        expect.arrayContaining(['id (path)', 'if-match (header)', 'Request body']),
      );
      // Its heading said "required" only through a style sheet's ::after, now left out of its name.
      const requiredBodies = await page
        .locator('.opblock-section-request-body .opblock-title.required')
        .count();
      expect(requiredBodies).toBeGreaterThan(0);
      expect(
        triedTree.filter((e) => e.role === 'textbox' && e.name === 'Request body' && e.required),
      ).toHaveLength(requiredBodies);
      await page.close();
    },
    2 * RENDER_MS,
  );
});
