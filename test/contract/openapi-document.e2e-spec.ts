import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { AdminServer } from '../../src/admin/admin.server.js';
import { OpenApiService } from '../../src/openapi/openapi.service.js';
import type { RouteCatalog } from '../../src/openapi/route.catalog.js';
import { ContractChecker, type OpenApiDoc } from '../support/openapi-contract.js';
import { rawRequest } from '../support/raw-http.js';
import { routesOfTree, type TreeRoute } from '../support/route-tree.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: object }>>;
};

/** `METHOD /path/{param}` for every operation of a document. */
function documented(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `METHOD /path/{param}` for every route a listener serves, HEAD twins of GETs left out. */
function served(fastify: FastifyInstance): string[] {
  const routes: TreeRoute[] = routesOfTree(fastify.printRoutes({ commonPrefix: false }));
  const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
  return routes
    .filter((r) => !(r.method === 'HEAD' && gets.has(r.url)))
    .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
}

/** Each route served but not documented, or documented but not served, with what to do. */
function mismatches(servedRoutes: string[], documentedRoutes: string[], catalog: RouteCatalog) {
  const seen = new Set(
    catalog.routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
  );
  return [
    ...servedRoutes
      .filter((route) => !documentedRoutes.includes(route))
      .map((route) =>
        seen.has(route)
          ? `${route}: served without a contract (docs/api.md, "Documenting a new route")`
          : `${route}: registered before the route catalog started watching (add routes in onModuleInit)`,
      ),
    ...documentedRoutes
      .filter((route) => !servedRoutes.includes(route))
      .map((route) => `${route}: documented but not served`),
  ];
}

/** Text every item field refuses (items.input.ts): 400, never stored altered. */
const REFUSED_TEXT: Array<[string, string]> = [
  ['U+0000 inside', 'ket\0tle'],
  ['an unpaired high surrogate inside', 'ket\uD800tle'],
  ['an unpaired low surrogate last', 'kettle\uDC00'],
  ["an emoji's first half last", 'kettle\uD83D'],
  ['U+FEFF first', '\uFEFFkettle'],
];
/** What a name or a tag refuses besides: an edge that shows nothing (item.label.ts). */
const REFUSED_EDGES: Array<[string, string]> = [
  ['a space last', 'kettle '],
  ['a tab first', '\tkettle'],
  ['U+0085 (NEL) last', 'kettle\u0085'],
  ['a zero-width space last', 'kettle\u200B'],
  ['a right-to-left mark first', '\u200Fkettle'],
  ['a Hangul filler alone', '\u3164'],
  ['U+FE0F after a letter', 'kettle\uFE0F'],
  ['a tag character first', '\u{E0001}kettle'],
  ['a hieroglyph, then a joiner', '\u{13000}\u{13430}'],
  ['a braille blank last', 'kettle\u2800'],
];
const ACCEPTED: Array<[string, string]> = [
  ['a word', 'kettle'],
  ['an accent and an emoji', 'café 🔑'],
  ['a red heart, emoji presentation', '\u2764\uFE0F'],
  ['a family joined by ZWJs', '👨\u200D👩\u200D👧'],
  ['the flag of Scotland', 'go \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}'],
  ['a zero-width space inside', 'a\u200Bb'],
  ['an Arabic number sign last', 'page \u0600'],
  ['an ideographic variation sequence', '\u845B\u{E0100}'],
];

describe('the OpenAPI documents describe exactly the routes each listener serves', () => {
  let t: TestApp;
  let publicDoc: Document;
  let adminDoc: Document;

  beforeAll(async () => {
    // pprof on, so its routes are walked too.
    t = await startTestApp({ DEBUG_PPROF_ENABLED: 'true', METRICS_ENABLED: 'true' });
    publicDoc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as Document;
    adminDoc = (await (await fetch(`${t.adminUrl}/openapi.json`)).json()) as Document;
  });
  afterAll(() => t?.close());

  it("every route's response schema, on both listeners, compiles", async () => {
    // They compile after the ports listen (protocol/deferred.serializers.ts), so a schema that
    // does not would fail no start-up: it fails here.
    expect(await t.serializersWarmed).toEqual([]);
  });

  it('every public route is documented, and every documented operation is a route', () => {
    const fastify = t.app.getHttpAdapter().getInstance() as FastifyInstance;
    const catalog = t.app.get(OpenApiService).publicRoutes;
    expect(mismatches(served(fastify), documented(publicDoc), catalog)).toEqual([]);
  });

  it('every admin route is documented, and every documented operation is a route', () => {
    const catalog = t.app.get(OpenApiService).adminRoutes;
    const routes = served(t.app.get(AdminServer).routes);
    expect(mismatches(routes, documented(adminDoc), catalog)).toEqual([]);
  });

  it('the route catalogs saw every route, so none is registered behind their back', () => {
    const openApi = t.app.get(OpenApiService);
    expect(openApi.publicRoutes.undocumented).toEqual([]);
    expect(openApi.adminRoutes.undocumented).toEqual([]);
  });

  it.each(['public', 'admin'] as const)('the %s document is valid OpenAPI 3.1', async (which) => {
    const doc = which === 'public' ? publicDoc : adminDoc;
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('operation ids are unique across both documents (one client can hold both)', () => {
    const ids = [publicDoc, adminDoc].flatMap((doc) =>
      Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId)),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the public document leaves the admin routes out, and the admin one the public routes', () => {
    expect(Object.keys(publicDoc.paths)).not.toContain('/chaos');
    expect(Object.keys(publicDoc.paths)).not.toContain('/metrics');
    expect(Object.keys(adminDoc.paths)).not.toContain('/api/items');
  });

  // Answered before any route runs (a header flood, a header timeout, an unknown Expect): a
  // client validating against the document met statuses it did not list.
  it('every operation on both ports lists the statuses the protocol layer may answer', () => {
    for (const doc of [publicDoc, adminDoc]) {
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const statuses = Object.keys(operation.responses);
          expect([
            `${method} ${path}`,
            ['408', '417', '431'].filter((s) => !statuses.includes(s)),
          ]).toEqual([`${method} ${path}`, []]);
        }
      }
    }
  });

  it('answers without a body are documented without one (/status/204 and /status/304)', async () => {
    const responses = publicDoc.paths['/status/{code}']!.get!.responses as Record<
      string,
      { content?: object }
    >;
    for (const code of ['204', '304']) {
      const answer = await fetch(`${t.baseUrl}/status/${code}`);
      expect([code, answer.status, await answer.text()]).toEqual([code, Number(code), '']);
      expect([code, responses[code], responses[code]?.content]).toEqual([
        code,
        expect.any(Object),
        undefined,
      ]);
    }
  });

  it("the item id's documented pattern refuses exactly what the route refuses", async () => {
    const operation = publicDoc.paths['/api/items/{id}']!.get as unknown as {
      parameters: Array<{ name: string; schema: { pattern: string } }>;
    };
    const pattern = new RegExp(operation.parameters.find((p) => p.name === 'id')!.schema.pattern);
    for (const id of ['1', '9223372036854775807', '9223372036854775808', '99999999999999999999']) {
      const answer = await fetch(`${t.baseUrl}/api/items/${id}`);
      expect([id, answer.status === 400]).toEqual([id, !pattern.test(id)]);
    }
  });

  // Answered before routing (errors/expect.reply.ts), so on a route that reads no body too.
  it.each([
    ['public', 'GET', '/hello'],
    ['public', 'GET', '/healthz'],
    ['admin', 'GET', '/metrics'],
  ])(
    '%s %s %s behind Expect: 100-continue with a declared length past the limit is 413, as documented',
    async (listener, method, path) => {
      const answer = await rawRequest(
        listener === 'public' ? t.ports.public : t.ports.admin,
        `${method} ${path} HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n` +
          `Content-Length: 99999999\r\n\r\n`,
      );
      expect(answer.status).toBe(413);
      const doc = listener === 'public' ? publicDoc : adminDoc;
      const responses = doc.paths[path]![method.toLowerCase()]!.responses as Record<
        string,
        unknown
      >;
      expect([path, Object.keys(responses)]).toEqual([path, expect.arrayContaining(['413'])]);
    },
  );

  // A client validating against the document sent names with U+0000, an unpaired surrogate, a
  // byte order mark or a zero-width space at an edge, which the server then refused with 400.
  it('the item fields refuse in the document (ajv) exactly what POST /api/items refuses', async () => {
    const doc = publicDoc as unknown as OpenApiDoc;
    const checker = new ContractChecker(doc);
    const create = doc.paths['/api/items']!.post!;
    const patch = doc.paths['/api/items/{id}']!.patch!;
    const bodies = {
      name: (value: string) => ({ name: value }),
      tag: (value: string) => ({ name: 'kettle', tags: [value] }),
      description: (value: string) => ({ name: 'kettle', description: value }),
    };
    const verdicts: Array<[string, string, string, string]> = [];
    const wrong: string[] = [];
    for (const [field, body] of Object.entries(bodies)) {
      for (const [what, value] of [...REFUSED_TEXT, ...REFUSED_EDGES, ...ACCEPTED]) {
        const answer = await fetch(`${t.baseUrl}/api/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(value)),
        });
        const served = answer.status === 400 ? 'refused' : `${answer.status}`;
        await answer.arrayBuffer();
        const sent = body(value);
        const { name, ...changes } = sent;
        const documented = [
          checker.bodyErrors(create, sent),
          checker.bodyErrors(patch, field === 'name' ? { name } : changes),
        ].map((errors) => (errors.length > 0 ? 'refused' : '201'));
        verdicts.push([field, what, served, documented[0]!]);
        for (const [operation, verdict] of [
          ['createItem', documented[0]],
          ['updateItem', documented[1]],
        ]) {
          if (verdict !== served)
            wrong.push(`${field}, ${what}: served ${served}, ${operation}'s schema ${verdict}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The server's own verdicts, so the list above means what it says.
    const refusedBy = (field: string) =>
      verdicts.filter(([f, , served]) => f === field && served === 'refused').map(([, w]) => w);
    const names = (list: Array<[string, string]>) => list.map(([what]) => what);
    expect(refusedBy('name')).toEqual(names([...REFUSED_TEXT, ...REFUSED_EDGES]));
    expect(refusedBy('tag')).toEqual(names([...REFUSED_TEXT, ...REFUSED_EDGES]));
    expect(refusedBy('description')).toEqual(names(REFUSED_TEXT));
  });

  it("the counter name's documented pattern refuses exactly what the route refuses", async () => {
    const operation = publicDoc.paths['/api/counters/{name}']!.get as unknown as {
      parameters: Array<{ name: string; schema: { pattern: string } }>;
    };
    const pattern = new RegExp(operation.parameters.find((p) => p.name === 'name')!.schema.pattern);
    for (const name of ['visits', '.', '..', '...', '.a', 'a'.repeat(64), 'a'.repeat(65)]) {
      // Raw: a URL parser resolves `.` and `..` (`%2E` too) as dot segments before sending.
      const answer = await rawRequest(
        t.ports.public,
        `GET /api/counters/${name} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      );
      expect([name, answer.status === 400]).toEqual([name, !pattern.test(name)]);
    }
  });
});
