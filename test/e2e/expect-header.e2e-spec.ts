import { rawExchange, rawRequest, statusesOf } from '../support/raw-http.js';
import { expectRawProblem as expectProblem } from '../support/raw-problem.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Port = 'public' | 'admin' | 'probe';
const PORTS = ['public', 'admin', 'probe'] as const;
const pathOn = (which: Port) => (which === 'admin' ? '/metrics' : '/healthz');

/**
 * What each listener makes of `Expect` (RFC 9110 §10.1.1): 100-continue, whatever its case or
 * spacing, is the one expectation; a field with no expectation in it asks nothing; any other, alone
 * or beside 100-continue, is 417 (probe-port-framing.e2e-spec.ts). The probe port takes no body, so it never asks for one.
 */
describe('Expect on every port', () => {
  let t: TestApp;
  let ports: Record<Port, number>;

  beforeAll(async () => {
    t = await startTestApp();
    ports = t.ports;
  });
  afterAll(() => t.close());

  // An empty field value, or a list of empty elements (§5.6.1: a recipient MUST accept and ignore
  // them), names no expectation. Node passed it to 'checkExpectation' as one it could not meet:
  // 417 and a closed connection for a request that expected nothing.
  it.each(PORTS)(
    '%s port: an Expect with nothing in it is no expectation: served, kept open',
    async (which) => {
      for (const field of ['Expect:', 'Expect: ', 'Expect: ,', 'Expect: , ,']) {
        const res = await rawRequest(
          ports[which],
          `GET ${pathOn(which)} HTTP/1.1\r\nHost: a\r\n${field}\r\n\r\n`,
          { lingerMs: 100 },
        );
        expect({ field, status: res.status, closed: res.closed }).toEqual({
          field,
          status: 200,
          closed: false,
        });
      }
    },
  );

  it('public port: an empty Expect before a body: the body is read, no 100, the item stored', async () => {
    const body = JSON.stringify({ name: 'empty-expect' });
    const res = await rawRequest(
      ports.public,
      `POST /api/items HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\nExpect:\r\n\r\n${body}`,
    );
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ name: 'empty-expect' });
  });

  // The value is case-insensitive (§10.1.1), and the spaces around a field value are not part
  // of it (RFC 9110 §5.5).
  it.each(PORTS)(
    '%s port: 100-continue in any case or spacing → 100, then the answer',
    async (which) => {
      // An empty element beside it is none (§5.6.1): still the one expectation.
      for (const value of ['100-CONTINUE', '100-Continue', '\t100-continue  ', '100-continue, ']) {
        const { text } = await rawExchange(
          ports[which],
          `GET ${pathOn(which)} HTTP/1.1\r\nHost: a\r\nExpect: ${value}\r\n\r\n`,
          // Kept alive after its answer: done once the final status is in.
          { until: (text) => statusesOf(text).some((status) => status !== 100) },
        );
        expect({ value, statuses: statusesOf(text) }).toEqual({ value, statuses: [100, 200] });
      }
    },
  );

  // The probe port reads no body: Node's 100, sent at once, asked for one only to answer without
  // it, two status lines where the other ports write one (errors/expect.reply.ts withholds the 100
  // until the body is read). The connection closes: the client may send the body all the same.
  it.each([
    ['probe', 'POST /healthz', 405],
    ['probe', 'GET /readyz', 200],
    ['probe', 'GET /nope', 404],
    ['public', 'GET /readyz', 200],
  ] as const)(
    '%s port: %s with a body behind Expect: 100-continue → %d alone, no 100, closed',
    async (which, line, status) => {
      const { text, closed } = await rawExchange(
        ports[which],
        `${line} HTTP/1.1\r\nHost: a\r\ncontent-length: 3\r\nExpect: 100-continue\r\n\r\n`,
      );
      expect({ statuses: statusesOf(text), closed }).toEqual({ statuses: [status], closed: true });
    },
  );

  // Node took the field for 100-continue wherever the token appeared in it (beside another
  // expectation, or inside one: `x-100-continue`): a 100 and the answer, where `foo` alone is 417.
  // Two Expect lines are one list (RFC 9110 §5.3).
  it.each(PORTS)(
    '%s port: another expectation beside 100-continue → 417 as it is alone: no 100, closed',
    async (which) => {
      for (const field of [
        'Expect: 100-continue, foo',
        'Expect: foo, 100-continue',
        'Expect: 100-continue;x=1',
        'Expect: x-100-continue',
        'Expect: 100-continue\r\nExpect: foo',
      ]) {
        const { text, closed } = await rawExchange(
          ports[which],
          `GET ${pathOn(which)} HTTP/1.1\r\nHost: a\r\n${field}\r\n\r\n`,
        );
        expect({ field, statuses: statusesOf(text), closed }).toEqual({
          field,
          statuses: [417],
          closed: true,
        });
        expect(text).toContain('"code":"EXPECTATION_FAILED"');
      }
    },
  );

  it('public port: 100-continue beside another expectation, a body announced → 417 unread', async () => {
    const res = await rawRequest(
      ports.public,
      'POST /api/items HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n' +
        'content-length: 2\r\nExpect: 100-continue, foo\r\n\r\n',
    );
    expectProblem(res, 417, 'EXPECTATION_FAILED');
    expect(res.closed).toBe(true);
  });

  // llhttp takes any number of zeros before a Content-Length: the 413 named the header as sent,
  // 9 KB of it.
  it.each([
    ['public', 'POST /api/items', 1_048_576],
    ['admin', 'PUT /chaos', 65_536],
  ] as const)(
    '%s port: a Content-Length past the limit behind 9 KB of zeros → 413 naming the number alone',
    async (which, line, limit) => {
      const res = await rawRequest(
        ports[which],
        `${line} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${'0'.repeat(9_000)}99999999\r\nExpect: 100-continue\r\n\r\n`,
      );
      const body = expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(body.detail).toBe(`The body's declared 99999999 bytes exceed the limit of ${limit}.`);
      expect(res.closed).toBe(true);
    },
  );

  it.each(PORTS)('%s port: an expectation other than 100-continue is still 417', async (which) => {
    const res = await rawRequest(
      ports[which],
      `GET ${pathOn(which)} HTTP/1.1\r\nHost: a\r\nExpect: , x\r\n\r\n`,
    );
    expectProblem(res, 417, 'EXPECTATION_FAILED');
    expect(res.closed).toBe(true);
  });
});
