import { ROOT_CONTEXT } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  contextStore,
  contextWithRequest,
  currentRequest,
} from '../request-context/context.store.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import type { RequestState } from '../request-context/request-state.js';
import { rawRequest } from '../../test/support/raw-http.js';
import { registerJsonBodyParser } from './json.body-parser.js';

/** A Fastify app with rampart's JSON parser and the request-state slot it writes to. */
function parserApp(): FastifyInstance {
  const app = Fastify();
  app.decorateRequest('requestState', null);
  registerJsonBodyParser(app);
  return app;
}

/**
 * A body that arrives in a later packet than its headers ends in the socket's async context; the
 * handler must still see the request the onRequest hook entered (http/request-state.hook.ts does
 * the same with the real state). A real listener and a raw socket, so the body really is late.
 */
describe('registerJsonBodyParser: the handler runs in the request context', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = parserApp();
    app.addHook('onRequest', (request, _reply, done) => {
      const id = request.headers['x-id'] as string;
      const state = { requestId: id, deadline: 1, signal: NEVER_ABORTS, startedAt: 0 };
      const context = contextWithRequest(ROOT_CONTEXT, state);
      request.requestState = { context } as RequestState;
      contextStore.with(context, done);
    });
    app.post('/echo', async (request) => ({
      seenBy: currentRequest()?.requestId ?? null,
      body: request.body,
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it.each([
    ['with its headers', 0],
    ['100 ms after its headers', 100],
  ])('a JSON body sent %s', async (_, lateMs) => {
    const response = await postJson(port, { n: 1 }, `id-${lateMs}`, lateMs);
    expect(response).toMatchObject({ status: 200 });
    expect(JSON.parse(response.body)).toEqual({ seenBy: `id-${lateMs}`, body: { n: 1 } });
  });
});

describe('registerJsonBodyParser: an empty body with a JSON Content-Type', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = parserApp();
    app.route({
      method: ['POST', 'DELETE'],
      url: '/',
      handler: async (r) => ({ body: r.body ?? null }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const send = (method: string) =>
    rawRequest(
      port,
      `${method} / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
        'content-length: 0\r\nconnection: close\r\n\r\n',
    );

  it('is no body on a DELETE (a generic client sends its JSON type on every call)', async () => {
    const response = await send('DELETE');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ body: null });
    // As curl -X DELETE -H 'content-type: application/json' sends it: no Content-Length at all.
    const curlLike = await rawRequest(
      port,
      'DELETE / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n',
    );
    expect([curlLike.status, curlLike.body]).toEqual([200, '{"body":null}']);
  });

  it('is still refused on a POST, whose JSON is its input', async () => {
    const response = await send('POST');
    expect(response.status).toBe(400);
    expect(response.body).toContain('FST_ERR_CTP_EMPTY_JSON_BODY');
  });
});

/** POSTs `body` to /echo over a raw socket, the body `lateMs` after the headers. */
function postJson(port: number, body: unknown, id: string, lateMs: number) {
  const payload = JSON.stringify(body);
  const headers =
    `POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\nx-id: ${id}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n`;
  return lateMs === 0
    ? rawRequest(port, headers + payload)
    : rawRequest(port, headers, { later: { afterMs: lateMs, data: payload } });
}
