/**
 * The status page and /debug/tracez reached behind a path prefix, as through
 * `kubectl proxy` (…/pods/<pod>:9090/proxy/) or an ingress rule for the admin port. The pages'
 * links and the status page's fetch were absolute (`/status.json`, `/debug/tracez`, `/`): behind
 * a prefix they left it, the figures never came (stale from the first refresh) and every link
 * was a 404. /docs already used relative URLs for the same reason.
 */
import { createServer, request as forward, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { launchBrowser, type Browser } from '../support/browser.js';
import type { Child } from '../support/child-process.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { startTraced } from '../support/traced-child.js';
import { eventually } from '../support/wait.js';

const PREFIX = '/api/v1/namespaces/rampart/pods/rampart-0:9090/proxy';

/** Forwards PREFIX/… to the admin port as /…; anything else is a 404, and noted. */
function prefixProxy(target: string, outside: string[]): Server {
  return createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${PREFIX}/`)) {
      outside.push(url);
      res.writeHead(404).end();
      return;
    }
    const upstream = forward(
      new URL(url.slice(PREFIX.length), target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

describe('admin pages behind a path prefix (Chromium)', () => {
  const receiver = new OtlpReceiver();
  const outside: string[] = [];
  let child: Child;
  let browser: Browser;
  let proxy: Server;
  let base: string;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    [child, browser] = await Promise.all([
      startTraced(endpoint, {
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1',
      }),
      launchBrowser(),
    ]);
    proxy = prefixProxy(child.adminUrl, outside);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${PREFIX}`;
  });
  afterAll(async () => {
    await browser?.close();
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    child?.process.kill('SIGTERM');
    await child?.exited;
    await receiver.close();
  });

  it('the status page fills in, and every link between it and the trace view stays under the prefix', async () => {
    const traceId = randomBytes(16).toString('hex');
    const hello = await fetch(`${child.baseUrl}/hello`, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(hello.status).toBe(200);
    await hello.text();
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId));

    const page = await browser.context.newPage();
    await page.goto(`${base}/`);
    await eventually(
      async () => (await page.getByTestId('updated').innerText()) !== 'never',
      10_000,
    );
    expect(await page.locator('#stale').isVisible()).toBe(false);

    await page.locator('#tracez-link').click();
    await page.getByTestId('summary').waitFor();
    expect(page.url()).toBe(`${base}/debug/tracez`);
    await page
      .getByTestId('summary')
      .getByRole('link', { name: 'GET /hello', exact: true })
      .click();
    await page.getByTestId('spans').getByRole('link', { name: traceId }).click();
    await page.getByTestId('waterfall').waitFor();
    expect(page.url()).toBe(`${base}/debug/tracez?trace=${traceId}`);
    await page.getByRole('link', { name: 'back to all span names' }).click();
    await page.getByTestId('summary').waitFor();
    await page.getByRole('link', { name: 'status', exact: true }).click();
    await page.getByTestId('pod').waitFor();
    expect(page.url()).toBe(`${base}/`);

    // The metrics link too.
    const metrics = await page
      .getByRole('link', { name: 'metrics', exact: true })
      .getAttribute('href');
    const answer = await fetch(new URL(metrics!, page.url()));
    expect(answer.status).toBe(200);
    await answer.text();
    expect(outside).toEqual([]);
    await page.close();
  });
});
