import {
  ContractChecker,
  operationsOf,
  type DocOperation,
  type OpenApiDoc,
} from '../support/openapi-contract.js';
import { startChild } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'contract-admin-token';

interface Values {
  params?: Record<string, string>;
  headers?: Record<string, string>;
}
interface Case {
  label: string;
  url: string;
  init: RequestInit;
  /** The status class or code this request must get, beyond being documented. */
  expect: (status: number) => boolean;
}

const succeeds = (status: number) => status < 400;
const is = (code: number) => (status: number) => status === code;

/** The request a client would send from the document's own examples. */
function documentedRequest(base: string, { method, path, op }: DocOperation, values: Values) {
  const params = op.parameters ?? [];
  let url = path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const p of params) {
    const value =
      (p.in === 'path' ? values.params?.[p.name] : values.headers?.[p.name]) ?? p.example;
    if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    else if (p.in === 'query' && value !== undefined) query.set(p.name, String(value));
    else if (p.in === 'header' && (p.required || values.headers?.[p.name]))
      headers[p.name] = String(value);
  }
  if (op.security) headers.authorization = `Bearer ${TOKEN}`;
  const example = op.requestBody?.content['application/json']?.example;
  const init: RequestInit = { method, headers };
  if (example !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(example);
  }
  const qs = query.toString();
  return { url: `${base}${url}${qs ? `?${qs}` : ''}`, init, headers };
}

/** Whether a body schema refuses fields it does not name (a `$ref` followed once). */
function closed(
  schema: { $ref?: string; additionalProperties?: unknown } | undefined,
  doc: OpenApiDoc,
) {
  const name = schema?.$ref?.replace('#/components/schemas/', '');
  const target = (name === undefined ? schema : doc.components.schemas[name]) as typeof schema;
  return target?.additionalProperties === false;
}

/**
 * The documented request, then ways of getting it wrong that the document also covers. The
 * example of an `x-destructive` operation (an exit) is left to `destructiveExample`: its
 * invalid variants are refused before anything happens, so they are safe here.
 */
function casesOf(base: string, operation: DocOperation, values: Values, doc: OpenApiDoc): Case[] {
  const valid = documentedRequest(base, operation, values);
  const { op } = operation;
  const cases: Case[] = op['x-destructive']
    ? []
    : [{ label: 'documented example', ...valid, expect: succeeds }];
  const variant = (label: string, init: RequestInit, expect: Case['expect'], url = valid.url) =>
    cases.push({ label, url, init: { ...valid.init, ...init }, expect });
  const names = new Set((op.parameters ?? []).map((p) => p.name));
  if (names.has('x-request-timeout')) {
    variant(
      'x-request-timeout: soon',
      { headers: { ...valid.headers, 'x-request-timeout': 'soon' } },
      is(400),
    );
  }
  for (const p of (op.parameters ?? []).filter((p) => p.in === 'path')) {
    const url = documentedRequest(base, operation, {
      ...values,
      params: { ...values.params, [p.name]: 'not valid!' },
    }).url;
    // A parameter that names one of a fixed set (a /docs file): any other names nothing, 404.
    variant(`path ${p.name} invalid`, {}, is(p.schema?.enum ? 404 : 400), url);
  }
  if (op.requestBody) {
    const json = { ...valid.headers, 'content-type': 'application/json' };
    // Only a body that names its fields can refuse another (POST /echo takes any JSON).
    if (closed(op.requestBody.content['application/json']?.schema, doc)) {
      variant('an unknown body field', { headers: json, body: '{"notAField":true}' }, is(400));
    }
    variant('malformed JSON', { headers: json, body: '{' }, is(400));
    variant(
      'a text/plain body',
      { headers: { ...json, 'content-type': 'text/plain' }, body: 'x' },
      is(415),
    );
  }
  if (op.security) {
    const anonymous = { ...valid.headers };
    delete anonymous.authorization;
    variant('no admin token', { headers: anonymous }, is(401));
  }
  return cases;
}

describe('each operation answers real requests as its document says (ajv, strict mode)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DEBUG_PPROF_ENABLED: 'true', ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => t?.close());

  /** Sends every case of every operation; lists each broken promise. */
  async function walk(base: string, values: (op: DocOperation) => Promise<Values>) {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDoc;
    const checker = new ContractChecker(doc);
    const broken: string[] = [];
    let requests = 0;
    for (const operation of operationsOf(doc)) {
      for (const c of casesOf(base, operation, await values(operation), doc)) {
        const res = await fetch(c.url, c.init);
        requests++;
        const where = `${operation.op.operationId} (${c.label}): ${res.status}`;
        if (!c.expect(res.status)) broken.push(`${where}: unexpected status`);
        for (const problem of await checker.check(operation.op, res))
          broken.push(`${where}: ${problem}`);
      }
    }
    return { broken, requests, operations: operationsOf(doc).length };
  }

  /**
   * Sends a destructive operation's documented example to a child process started for it
   * alone (the same build, the same admin token), and checks the answer like any other.
   */
  async function destructiveExample(operation: DocOperation, doc: OpenApiDoc) {
    const db = await defaultDatabaseEnv();
    const child = await startChild({ ...db.env, LOG_LEVEL: 'info', ADMIN_TOKEN: TOKEN });
    try {
      const { url, init } = documentedRequest(child.adminUrl, operation, {});
      const res = await fetch(url, init);
      const problems = await new ContractChecker(doc).check(operation.op, res);
      return { status: res.status, problems, exitCode: await child.exited };
    } finally {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await db.drop();
    }
  }

  it('public port: every operation, valid and invalid requests', async () => {
    const create = async (name: string) => {
      const res = await fetch(`${t.baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const item = (await res.json()) as { id: string };
      return { id: item.id, etag: res.headers.get('etag')! };
    };
    const kept = await create('read and changed by the contract test');
    const doomed = await create('deleted by the contract test');
    const { broken, requests, operations } = await walk(t.baseUrl, async ({ op }) => {
      if (op.operationId === 'deleteItem') {
        return { params: { id: doomed.id }, headers: { 'if-match': doomed.etag } };
      }
      if (op.operationId === 'updateItem') {
        // Each PATCH bumps the version: read the current ETag first.
        const etag = (await fetch(`${t.baseUrl}/api/items/${kept.id}`)).headers.get('etag')!;
        return { params: { id: kept.id }, headers: { 'if-match': etag } };
      }
      return { params: { id: kept.id } };
    });
    expect(broken).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(17);
    expect(requests).toBeGreaterThan(operations * 2);
  });

  it('admin port: every operation, valid and invalid requests', async () => {
    const { broken, operations } = await walk(t.adminUrl, async () => ({}));
    expect(broken).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(8);
  });

  it('admin port: a destructive example is sent to a throwaway process, which it ends', async () => {
    const doc = (await (await fetch(`${t.adminUrl}/openapi.json`)).json()) as OpenApiDoc;
    const destructive = operationsOf(doc).filter(({ op }) => op['x-destructive']);
    expect(destructive.map(({ op }) => op.operationId)).toEqual(['exitProcess']);
    const exit = await destructiveExample(destructive[0]!, doc);
    // The example asks for exit code 3, right after the answer.
    expect(exit).toEqual({ status: 202, problems: [], exitCode: 3 });
  });

  it('a liveness failed on purpose answers as /healthz documents it (503 LIVENESS_FAILED)', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as OpenApiDoc;
    const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const url = `${t.adminUrl}/chaos/process/liveness`;
    await fetch(url, { method: 'PUT', headers: admin, body: '{}' });
    try {
      const res = await fetch(`${t.baseUrl}/healthz`);
      expect(res.status).toBe(503);
      expect(await new ContractChecker(doc).check(doc.paths['/healthz']!.get!, res)).toEqual([]);
    } finally {
      await fetch(url, { method: 'DELETE', headers: { authorization: admin.authorization } });
    }
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a problem code outside the documented enumeration fails the check', async () => {
    // The checker itself can fail: a 404 ITEM_NOT_FOUND checked against an operation whose
    // 404 lists another code.
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as OpenApiDoc;
    const op = structuredClone(doc.paths['/api/items/{id}']!.get!);
    const problem = op.responses['404']!.content!['application/problem+json']!.schema as {
      allOf: [object, { properties: { code: { enum: string[] } } }];
    };
    problem.allOf[1].properties.code.enum = ['SOMETHING_ELSE'];
    const res = await fetch(`${t.baseUrl}/api/items/999999999`);
    expect(await new ContractChecker(doc).check(op, res)).toEqual([
      expect.stringContaining('body does not match'),
    ]);
  });
});
