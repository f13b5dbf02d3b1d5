import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from './child-process.js';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run): Playwright's own download
 * cannot be fetched on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where browser tests leave their screenshots (git-ignored). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'browser');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** Full path for a screenshot named `name`.png under SCREENSHOTS. */
  screenshot(name: string): string;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile. A missing binary is a failure, never a skip: the
 * pages are only tested if a real browser renders them. `javaScriptEnabled: false` is a
 * visitor with scripts off. `phone: true` is a touch screen that honours a page's
 * `<meta name="viewport">` as a phone's browser does (a desktop window ignores it, and a page
 * without one looks fine there while a phone draws it 980 px wide, shrunk to a third).
 */
export async function launchBrowser(
  viewport = { width: 1280, height: 900 },
  { javaScriptEnabled = true, phone = false } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    javaScriptEnabled,
    isMobile: phone,
    hasTouch: phone,
  });
  return {
    context,
    screenshot: (name) => join(SCREENSHOTS, `${name}.png`),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
