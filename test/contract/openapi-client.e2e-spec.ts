import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { ROOT } from '../support/child-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

/**
 * A small program written against the generated types only: items, counters and fanout, typed
 * from the document, with `@ts-expect-error` where the document must forbid something. It
 * compiles under `strict` and then runs (Node strips the types) against the live server.
 */
const CLIENT = `import type { paths } from './rampart.js';

type Json<R, S extends keyof R> = R[S] extends { content: { 'application/json': infer B } } ? B : never;
type CreateBody = paths['/api/items']['post']['requestBody']['content']['application/json'];
type Created = Json<paths['/api/items']['post']['responses'], 201>;
type Page = Json<paths['/api/items']['get']['responses'], 200>;
type Read = Json<paths['/api/items/{id}']['get']['responses'], 200>;
type Limit = NonNullable<paths['/api/items']['get']['parameters']['query']>['limit'];
type Counter = Json<paths['/api/counters/{name}/increment']['post']['responses'], 200>;
type Increment = NonNullable<paths['/api/counters/{name}/increment']['post']['requestBody']>['content']['application/json'];
type Fanout = Json<paths['/api/fanout']['get']['responses'], 200>;
type ItemNotFound = paths['/api/items/{id}']['get']['responses'][404]['content']['application/problem+json'];
type PatchHeaders = paths['/api/items/{id}']['patch']['parameters']['header'];

const base = process.argv[2];
async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(base + path, init);
  if (!res.ok) throw new Error(path + ' answered ' + res.status);
  return (await res.json()) as T;
}
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const body: CreateBody = { name: 'typed client', description: null, tags: ['generated'] };
// @ts-expect-error: the create schema is strict: a misspelt field is a compile error
const typo: CreateBody = { name: 'x', desciption: 'typo' };
const created = await call<Created>('/api/items', json(body));
const id: string = created.id;
const version: number = created.version;
const description: string | null = created.description;
const limit: Limit = 5;
// @ts-expect-error: ?limit= is documented as an integer
const wrongLimit: Limit = 'five';
const page = await call<Page>('/api/items?limit=' + limit);
const read = await call<Read>('/api/items/' + id);
const cursor: string | null = page.nextCursor;
const headers: PatchHeaders = { 'if-match': '"' + id + '.' + version + '"' };
// @ts-expect-error: PATCH needs If-Match
const noIfMatch: PatchHeaders = {};
const by: Increment = { by: 2 };
const counter = await call<Counter>('/api/counters/typed-client/increment', json(by));
const value: number = counter.value;
const fanout = await call<Fanout>('/api/fanout');
const degraded: boolean = fanout.degraded;
const notFound: ItemNotFound['code'] = 'ITEM_NOT_FOUND';
// @ts-expect-error: GET /api/items/{id} never answers 404 with a counter's code
const notItsCode: ItemNotFound['code'] = 'COUNTER_OUT_OF_RANGE';

void [typo, wrongLimit, noIfMatch, description, cursor, headers, notFound, notItsCode];
console.log(JSON.stringify({ id, name: created.name, read: read.name, paged: page.items.length <= limit, value, degraded }));
`;

describe('a typed client generated from the document (openapi-typescript) compiles and runs', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'rampart-client-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('generated types + a program using items, counters and fanout: tsc --strict, then run', async () => {
    const document = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as OpenAPI3;
    writeFileSync(join(dir, 'rampart.d.ts'), astToString(await openapiTS(document)));
    writeFileSync(join(dir, 'client.mts'), CLIENT);

    const program = ts.createProgram([join(dir, 'client.mts')], {
      strict: true,
      noEmit: true,
      noUnusedLocals: false,
      target: ts.ScriptTarget.ES2023,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      typeRoots: [join(ROOT, 'node_modules/@types')],
      types: ['node'],
      skipLibCheck: true,
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);

    const { stdout } = await run(process.execPath, [join(dir, 'client.mts'), t.baseUrl]);
    expect(JSON.parse(stdout)).toEqual({
      id: expect.stringMatching(/^\d+$/),
      name: 'typed client',
      read: 'typed client',
      paged: true,
      value: expect.any(Number),
      degraded: false,
    });
  });
});
