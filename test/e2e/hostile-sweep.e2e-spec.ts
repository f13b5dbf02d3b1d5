import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { type Child } from '../support/child-process.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { hasPromtool, promtoolFindings } from '../support/promtool.js';
import { startTracedWithReceiver, type TracedChild } from '../support/traced-child.js';
import { until } from '../support/wait.js';

/** The longest log line allowed: a client's text is cut short where a line quotes it (errors/client-text.ts). */
const LONGEST_LINE = 4_096;

const rnd = () => randomBytes(6).toString('hex');
/** What a hostile client puts where it can: escapes, ANSI, quotes, invalid UTF-8, length. */
const HOSTILE = [
  '%0a%7B%22level%22%3A%22fatal%22%7D%0d',
  '%1b%5B31mred%1b%5B0m',
  '%22%5C%27',
  '%ff%fe%c3%28',
  '%E2%80%A8',
  '%zz',
  // Three places take it: 12 KB, under Node's 16 KiB for the request line and headers (431).
  'x'.repeat(4_000),
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'PURGE'];
const TARGETS = [
  (v: string) => `/no/such/${v}`,
  (v: string) => `/api/counters/${v}`,
  (v: string) => `/api/items/${v}`,
  (v: string) => `/docs/${v}`,
  (v: string) => `/delay/${v}`,
  (v: string) => `/hello?delay=${v}`,
  (v: string) => `/${v}`,
];

/** Sends raw bytes on a connection of their own; resolves once the server has closed it. */
function send(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
    socket.end(bytes);
  });
}

/** One pass over every target and method, each value fresh, with hostile headers. */
function sweep(): Buffer[] {
  const requests: Buffer[] = [];
  for (const target of TARGETS) {
    for (const method of METHODS) {
      for (const hostile of [...HOSTILE, rnd()]) {
        // Header values may hold quotes and obs-text (bytes past 0x7f); a control byte is
        // refused by Node's parser before any request exists.
        const id = Buffer.concat([Buffer.from(`${rnd()}"\\`), Buffer.from([0xff, 0xc3, 0x28])]);
        requests.push(
          Buffer.concat([
            Buffer.from(`${method} ${target(`${hostile}${rnd()}`)} HTTP/1.1\r\nHost: a\r\n`),
            Buffer.from('x-request-id: '),
            id,
            Buffer.from(`\r\nuser-agent: ${hostile}"${rnd()}`),
            id,
            Buffer.from('\r\n'),
            Buffer.from(`traceparent: 00-${rnd()}${rnd()}${rnd()}-${rnd()}-0${rnd()[0]}\r\n`),
            Buffer.from(`baggage: k${rnd()}=${hostile},${rnd()}\r\n`),
            Buffer.from(`tracestate: ${rnd()}=${rnd()}\r\nconnection: close\r\n\r\n`),
          ]),
        );
      }
      // And statuses a client picks, on the route that answers any: past its first 16 on a
      // route, each counts under its class, so 16 and one of each class reach every series a
      // later pass can.
      const statuses = new Set<number>();
      while (statuses.size < 16) statuses.add(200 + (randomBytes(2).readUInt16BE() % 400));
      for (const base of [200, 300, 400, 500]) {
        let status = base;
        while (statuses.has(status)) status += 1;
        statuses.add(status);
      }
      for (const status of statuses) {
        requests.push(
          Buffer.from(
            `${method} /status/${status} HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n`,
          ),
        );
      }
    }
  }
  return requests;
}

/**
 * A hostile client's sweep — fresh paths, parameters, methods, statuses, request ids, trace
 * headers, user agents, each with escapes, ANSI, quotes, invalid UTF-8 and length — must leave
 * the operator's view sound: no new series once the shape of the traffic has been seen (the
 * raw values never become labels), one access line per request, every log line one valid JSON
 * line of bounded length, and an exposition promtool accepts.
 */
describe('a hostile sweep (traced child process)', () => {
  let traced: TracedChild;
  let child: Child;
  let port: number;

  beforeAll(async () => {
    // Every request traced, so its hostile values reach span attributes and the exporter too;
    // debug, so the problem lines that quote a client's path are written.
    traced = await startTracedWithReceiver({
      OTEL_TRACES_SAMPLER: 'always_on',
      LOG_LEVEL: 'debug',
    });
    ({ child, port } = traced);
  });
  afterAll(() => traced.stop());

  const lines = () =>
    child
      .output()
      .split('\n')
      .filter((l) => l !== '');
  const accessLines = () => lines().filter((l) => l.includes('"msg":"request"')).length;
  const exposition = async () => (await fetch(`${child.adminUrl}/metrics`)).text();
  /** The request families' samples: the ones whose labels come from requests. */
  const seriesCount = (text: string) =>
    [...parsePrometheusText(text)]
      .filter(([name]) => name.startsWith('http_'))
      .reduce((n, [, family]) => n + family.samples.length, 0);
  const run = async (requests: Buffer[]) => {
    for (let i = 0; i < requests.length; i += 32) {
      await Promise.all(requests.slice(i, i + 32).map((r) => send(port, r)));
    }
  };

  it('adds no series on its second pass, one access line per request, bounded JSON lines', async () => {
    const first = sweep();
    await run(first);
    const afterFirst = seriesCount(await exposition());
    const linesBefore = accessLines();
    const second = sweep();
    await run(second);
    const text = await exposition();
    expect(seriesCount(text) - afterFirst).toBe(0);
    await until(() => accessLines() - linesBefore >= second.length, 15_000).catch(() => {});
    expect(accessLines() - linesBefore).toBe(second.length);
    if (hasPromtool) expect(promtoolFindings(text)).toEqual([]);
    const bad = lines().filter((l) => {
      try {
        JSON.parse(l);
        return l.length > LONGEST_LINE;
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([]);
    expect(child.process.exitCode).toBeNull();
  });
});
