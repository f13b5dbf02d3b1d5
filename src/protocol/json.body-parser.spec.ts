import { ROOT_CONTEXT } from '@opentelemetry/api';
import Fastify, { type FastifyContextConfig, type FastifyInstance } from 'fastify';
import {
  contextStore,
  contextWithRequest,
  currentRequest,
} from '../request-context/context.store.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import type { RequestState } from '../request-context/request-state.js';
import { countJsonParses } from '../../test/support/json-parses.js';
import { rawRequest } from '../../test/support/raw-http.js';
import { buildProblem, classifyError } from '../errors/problem.js';
import { registerJsonBodyParser } from './json.body-parser.js';
import { MAX_JSON_DEPTH } from './json.shape.js';

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
    // Routes as openapi/contract.decorator.ts configures them: the contract says of the body.
    const contract = (body?: { required: boolean }) => ({
      config: { contract: { body } } as unknown as FastifyContextConfig,
    });
    const handler = async (r: { body?: unknown }) => ({ body: r.body ?? null });
    app.post('/optional', contract({ required: false }), handler);
    app.post('/none', contract(), handler);
    app.post('/required', contract({ required: true }), handler);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const send = (method: string, path = '/') =>
    rawRequest(
      port,
      `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
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
    const required = await send('POST', '/required');
    expect(required.status).toBe(400);
    expect(required.body).toContain('FST_ERR_CTP_EMPTY_JSON_BODY');
  });

  // fetch, Go and Python's requests send `Content-Length: 0` with a POST that has no body: a
  // counter increment (optional body) or POST /readyz/disable (none) from such a client with its
  // JSON type on every call was 400.
  it.each(['/optional', '/none'])(
    'is no body on a POST to a route whose contract takes it optionally or not at all (%s)',
    async (path) => {
      const response = await send('POST', path);
      expect([response.status, response.body]).toEqual([200, '{"body":null}']);
    },
  );
});

/**
 * RFC 9112 §6.3: a chunked body of the last chunk alone and `Content-Length: 0` are both zero
 * bytes of content. The first was 415 "has a body but no Content-Type" where the second was no
 * body; and a `text/plain` request without content was told to send application/json, which
 * then got EMPTY_JSON_BODY.
 */
describe('registerJsonBodyParser: a request without content has no body, whatever its type', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = parserApp();
    app.post('/', async (r) => ({ body: r.body ?? null }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const post = (headers: string, body = '', later?: string) =>
    rawRequest(
      port,
      `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers}connection: close\r\n\r\n${body}`,
      later === undefined ? {} : { later: { afterMs: 100, data: later } },
    );
  const CHUNKED = 'transfer-encoding: chunked\r\n';

  it.each([
    ['chunked, the last chunk alone, no Content-Type', CHUNKED, '0\r\n\r\n'],
    [
      'chunked, the last chunk alone, text/plain',
      `content-type: text/plain\r\n${CHUNKED}`,
      '0\r\n\r\n',
    ],
    ['Content-Length: 0, text/plain', 'content-type: text/plain\r\ncontent-length: 0\r\n', ''],
    ['no length at all, a form type', 'content-type: application/x-www-form-urlencoded\r\n', ''],
  ])('%s → no body', async (_, headers, body) => {
    const response = await post(headers, body);
    expect([response.status, response.body]).toEqual([200, '{"body":null}']);
  });

  it('the last chunk 100 ms after the headers → no body, once it came', async () => {
    const response = await post(CHUNKED, '', '0\r\n\r\n');
    expect([response.status, response.body]).toEqual([200, '{"body":null}']);
  });

  it.each([
    ['no Content-Type', '', 'The request has a body but no Content-Type'],
    ['text/plain', 'content-type: text/plain\r\n', 'Content-Type text/plain is not accepted'],
  ])('a chunked body with content and %s → still 415', async (_, type, detail) => {
    const response = await post(`${type}${CHUNKED}`, '2\r\n{}\r\n0\r\n\r\n');
    expect(response.status).toBe(415);
    expect(response.body).toContain(detail);
    expect(response.headers.connection).toBe('close');
  });
});

describe('registerJsonBodyParser: what each refused body answers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = parserApp();
    // The one problem mapping (errors/problem.ts), as the problem filter applies it.
    app.setErrorHandler(async (error, _request, reply) => {
      const problem = buildProblem(classifyError(error), {});
      return reply.code(problem.status).send(problem);
    });
    app.post('/', async (request) => ({ body: request.body }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = async (payload: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    return { status: response.statusCode, ...(response.json() as Record<string, unknown>) };
  };
  const notJson = {
    status: 400,
    code: 'MALFORMED_JSON',
    detail: "Body is not valid JSON but content-type is set to 'application/json'",
  };

  it.each([
    [
      'an empty body',
      '',
      {
        status: 400,
        code: 'EMPTY_JSON_BODY',
        detail: "Body cannot be empty when content-type is set to 'application/json'",
      },
    ],
    ['text that is not JSON', '{"name":', notJson],
    ['whitespace only', '  ', notJson],
    ['a byte order mark only', '\ufeff', notJson],
    [
      'JSON nested past the depth limit',
      '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1),
      {
        status: 400,
        code: 'MALFORMED_JSON',
        detail: `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`,
      },
    ],
    [
      'a __proto__ key',
      '{"a":[{"__proto__":{"x":1}}]}',
      {
        code: 'INVALID_INPUT',
        errors: [{ field: '__proto__', message: 'a key this API never accepts' }],
      },
    ],
    // A body after a byte order mark is read (below), so a __proto__ key after one is refused
    // as the key it is. The field-naming pass (JSON.parse) took no mark: it was MALFORMED_JSON.
    [
      'a byte order mark before a __proto__ key',
      '\ufeff{"__proto__":{"x":1}}',
      {
        code: 'INVALID_INPUT',
        errors: [{ field: '__proto__', message: 'a key this API never accepts' }],
      },
    ],
    [
      'a constructor holding a prototype',
      '{"constructor":{"prototype":{"x":1}}}',
      {
        code: 'INVALID_INPUT',
        errors: [{ field: 'constructor', message: 'a key this API never accepts' }],
      },
    ],
    [
      'a key repeated within one object',
      '{"a":[{"b":1,"\\u0062":2}]}',
      {
        code: 'INVALID_INPUT',
        errors: [
          {
            field: '/a/0/b',
            message: 'this key appears more than once in its object; send it once',
          },
        ],
      },
    ],
  ])('%s', async (_name, payload, answer) => {
    expect(await post(payload)).toMatchObject(answer);
  });

  it.each([
    ['JSON after a byte order mark', '\ufeff{"a":1}', { a: 1 }],
    ['a constructor that is only a name', '{"constructor":"c"}', { constructor: 'c' }],
    ['a string value "__proto__"', '"__proto__"', '__proto__'],
  ])('accepts %s', async (_name, payload, body) => {
    expect(await post(payload)).toEqual({ status: 200, body });
  });
});

/**
 * The admin listener's settings are mostly integers (`exactIntegers`): a number JSON.parse rounds
 * to an integer it does not denote is refused in a field the route takes as an integer (its
 * `integerFields`, as openapi/contract.decorator.ts configures them), once the body has passed
 * the other checks. Its literals come from the body's one parse, over a real listener and a raw
 * socket.
 */
describe('registerJsonBodyParser with exactIntegers: one parse per body', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = Fastify();
    app.decorateRequest('requestState', null);
    registerJsonBodyParser(app, { exactIntegers: true });
    app.setErrorHandler(async (error, _request, reply) => {
      const problem = buildProblem(classifyError(error), {});
      return reply.code(problem.status).send(problem);
    });
    const integerFields = new Set(['code', 'latencyMs']);
    app.post('/', { config: { integerFields } }, async (request) => ({ body: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  /** The answer to `payload`, and how many times JSON.parse ran while it was made. */
  const post = async (payload: string) => {
    const { result: response, parses } = await countJsonParses(() =>
      rawRequest(
        port,
        `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`,
      ),
    );
    return { status: response.status, answer: JSON.parse(response.body) as unknown, parses };
  };

  it('takes integers written exactly, in one parse', async () => {
    expect(await post('{"code":5,"latencyMs":1e2,"share":0.5}')).toEqual({
      status: 200,
      answer: { body: { code: 5, latencyMs: 100, share: 0.5 } },
      parses: 1,
    });
  });

  it('refuses a number read as an integer it does not denote in an integer field, naming it, in the same parse', async () => {
    expect(await post('{"code":1e-400,"latencyMs":9007199254740993}')).toMatchObject({
      status: 400,
      answer: {
        code: 'INVALID_INPUT',
        errors: [
          { field: 'code', message: 'read as 0; send the integer itself, not 1e-400' },
          {
            field: 'latencyMs',
            message: 'read as 9007199254740992; send the integer itself, not 9007199254740993',
          },
        ],
      },
      parses: 1,
    });
  });

  // A share of 0.99999999999999999 was refused: "read as 1; send the integer itself".
  it('reads a field that takes any number as the double nearest its literal, an integer or not', async () => {
    expect(await post('{"code":5,"share":0.99999999999999999,"rate":1e-400}')).toEqual({
      status: 200,
      answer: { body: { code: 5, share: 1, rate: 0 } },
      parses: 1,
    });
  });

  it('answers a repeated key first, as before a rounded number was looked for', async () => {
    expect(await post('{"code":1e-400,"code":1}')).toMatchObject({
      status: 400,
      answer: {
        code: 'INVALID_INPUT',
        errors: [
          {
            field: '/code',
            message: 'this key appears more than once in its object; send it once',
          },
        ],
      },
    });
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
