import { z } from 'zod';
import { buildDocument } from './openapi.document.js';
import { ADMIN_SURFACE, PUBLIC_SURFACE } from './openapi.surfaces.js';
import { defineContract } from './route.contract.js';

const widget = z.object({ id: z.string(), size: z.int() }).meta({ id: 'Widget' });
const contract = defineContract({
  operationId: 'putWidget',
  summary: 'Store a widget',
  tags: ['widgets'],
  params: z.strictObject({ id: z.string().meta({ examples: ['7'] }) }),
  query: z.object({
    dry: z.string().optional(),
    n: z.string().transform(Number).pipe(z.int().min(1)),
  }),
  body: { schema: z.object({ size: z.int().default(1) }), required: true },
  responses: { 200: { description: 'Stored.', json: widget } },
  problems: ['INVALID_INPUT', 'ITEM_NOT_FOUND', 'DB_POOL_TIMEOUT', 'REQUESTED_STATUS'],
});
type Op = {
  parameters: Array<{ name: string; in: string; required: boolean; schema: object }>;
  requestBody: { content: { 'application/json': { schema: { required?: string[] } } } };
  responses: Record<string, { content: Record<string, { schema: { allOf: object[] } }> }>;
  security?: object[];
};

describe('buildDocument', () => {
  const doc = buildDocument(PUBLIC_SURFACE, '1.2.3', [
    { method: 'PUT', url: '/widgets/:id', contract },
    { method: 'GET', url: '/undocumented' },
  ]);
  const op = doc.paths['/widgets/{id}']!.put as unknown as Op;
  const codes = (status: string) =>
    (
      op.responses[status]!.content['application/problem+json']!.schema.allOf[1] as {
        properties: { code: { enum: string[] } };
      }
    ).properties.code.enum;

  it('turns `:id` into `{id}` and leaves routes without a contract out', () => {
    expect(Object.keys(doc.paths)).toEqual(['/widgets/{id}']);
  });

  it('documents path params as required, query params by their parsed type', () => {
    const byName = Object.fromEntries(op.parameters.map((p) => [p.name, p]));
    expect(byName.id).toMatchObject({ in: 'path', required: true });
    expect(byName.dry).toMatchObject({ in: 'query', required: false });
    expect(byName.n).toMatchObject({ required: true, schema: { type: 'integer', minimum: 1 } });
    expect(byName['x-request-timeout']).toMatchObject({ in: 'header', required: false });
  });

  it('documents the body as the client sends it: a field with a default is optional', () => {
    expect(op.requestBody.content['application/json'].schema.required).toBeUndefined();
  });

  it("groups problem codes by status, adding the listener's, and runtime statuses under default", () => {
    expect(codes('404')).toEqual(['ITEM_NOT_FOUND']);
    expect(codes('400')).toEqual(expect.arrayContaining(['INVALID_INPUT', 'MALFORMED_JSON']));
    expect(codes('503')).toEqual(['CONCURRENCY_LIMITED', 'DB_POOL_TIMEOUT', 'SERVER_OVERLOADED']);
    expect(codes('default')).toEqual(['CHAOS_INJECTED', 'REQUESTED_STATUS']);
  });

  it('documents 400 INVALID_INPUT on a read too, on both ports: a GET with content is refused', () => {
    const reads = { ...contract, body: undefined, problems: [], operationId: 'getWidget' };
    for (const surface of [PUBLIC_SURFACE, ADMIN_SURFACE]) {
      const read = buildDocument(surface, '1.2.3', [
        { method: 'GET', url: '/widgets/:id', contract: reads },
      ]).paths['/widgets/{id}']!.get as unknown as Op;
      const schema = read.responses['400']!.content['application/problem+json']!.schema;
      const { enum: codes400 } = (schema.allOf[1] as { properties: { code: { enum: string[] } } })
        .properties.code;
      expect(codes400).toContain('INVALID_INPUT');
    }
  });

  it('names models once, under components', () => {
    expect(doc.components).toMatchObject({ schemas: { Widget: expect.any(Object) } });
  });

  it('asks for the admin token on admin mutations only', () => {
    const admin = buildDocument(ADMIN_SURFACE, '1.2.3', [
      { method: 'PUT', url: '/widgets/:id', contract },
      { method: 'GET', url: '/widgets', contract: { ...contract, operationId: 'listWidgets' } },
    ]);
    expect((admin.paths['/widgets/{id}']!.put as unknown as Op).security).toEqual([
      { adminToken: [] },
    ]);
    expect((admin.paths['/widgets']!.get as unknown as Op).security).toBeUndefined();
  });
});
