/**
 * A connection that never sends a byte: Chromium opens spare ones to an origin it expects to
 * load from (preconnects), and leaves some unused. Browsing the status page and the trace view
 * counted three to eight REQUEST_TIMEOUT "errors" a visit on the status page itself. Such a
 * connection has no request to answer: it is closed at the header timeout as an idle one, with
 * no 408; a client that began a request and stalled still gets its 408, counted.
 */
import { connect } from 'node:net';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const HEADERS_TIMEOUT_MS = 300;

/** Opens a connection, writes `text` (if any), and resolves what the server sent before closing. */
function connection(port: number, text = ''): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => text && socket.write(text));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
}

describe('silent connections (a browser preconnect): closed as idle, no 408, no error counted', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_TIMEOUT_CHECK_INTERVAL_MS: '50',
    });
  });
  afterAll(() => t?.close());

  const requestTimeouts = async (): Promise<number> => {
    const status = (await (await fetch(`${t.adminUrl}/status.json`)).json()) as {
      errors: Array<{ code: string; total: number }>;
    };
    return status.errors.find((e) => e.code === 'REQUEST_TIMEOUT')?.total ?? 0;
  };
  const timeouts = async (phase: string): Promise<number> => {
    const text = await (await fetch(`${t.adminUrl}/metrics`)).text();
    return sampleValue(parsePrometheusText(text), 'http_client_timeouts_total', { phase }) ?? 0;
  };

  it('on both ports: closed with nothing written, counted as idle, not as a timeout error', async () => {
    const [errors, idle, headers] = [
      await requestTimeouts(),
      await timeouts('idle'),
      await timeouts('headers'),
    ];
    const received = await Promise.all([
      connection(t.ports.public),
      connection(t.ports.public),
      connection(t.ports.admin),
    ]);
    expect(received).toEqual(['', '', '']);
    expect(await requestTimeouts()).toBe(errors);
    // The metric counts the public port's closes.
    expect([await timeouts('idle'), await timeouts('headers')]).toEqual([idle + 2, headers]);
  });

  it('one byte of a request is a request begun: 408 problem+json, counted', async () => {
    const [errors, headers] = [await requestTimeouts(), await timeouts('headers')];
    const received = await connection(t.ports.public, 'G');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"REQUEST_TIMEOUT"');
    expect(await requestTimeouts()).toBe(errors + 1);
    expect(await timeouts('headers')).toBe(headers + 1);
  });
});
