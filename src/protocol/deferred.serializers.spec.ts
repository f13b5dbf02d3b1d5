import Fastify, { type FastifyInstance } from 'fastify';
import { DeferredSerializers } from './deferred.serializers.js';

const itemSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, version: { type: 'integer' } },
  required: ['id', 'version'],
};

const answer = { id: 'a', version: '7', secret: 'not in the schema' };

/** Per path, the route's 200 schema and what its handler returns. */
type Routes = Record<string, { schema: object; answer: unknown }>;

/**
 * A real Fastify listener whose routes answer through the deferred compiler: by default two
 * GET routes, each with the HEAD route Fastify adds beside it.
 */
async function serve(
  serializers: DeferredSerializers,
  routes: Routes = {
    '/one': { schema: itemSchema, answer },
    '/two': { schema: itemSchema, answer },
  },
  exposeHeadRoute = true,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  app.setSerializerCompiler(serializers.compiler);
  for (const [path, route] of Object.entries(routes)) {
    const options = { schema: { response: { 200: route.schema } }, exposeHeadRoute };
    app.get(path, options, async () => route.answer);
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

describe('DeferredSerializers', () => {
  it('compiles nothing while the app boots: every route is left for later', async () => {
    const serializers = new DeferredSerializers();
    const { app } = await serve(serializers);
    try {
      // Two GET routes and the HEAD route Fastify adds beside each.
      expect(serializers.uncompiled).toBe(4);
    } finally {
      await app.close();
    }
  });

  it("a route's first answer compiles its serializer and is shaped by the schema", async () => {
    const serializers = new DeferredSerializers();
    const { app, url } = await serve(serializers);
    try {
      const first = await fetch(`${url}/one`);
      // The schema's shape: the undeclared member dropped, the version coerced to an integer.
      expect(await first.json()).toEqual({ id: 'a', version: 7 });
      expect(serializers.uncompiled).toBe(3);
      const again = await fetch(`${url}/one`);
      expect(await again.text()).toBe('{"id":"a","version":7}');
      expect(serializers.uncompiled).toBe(3);
    } finally {
      await app.close();
    }
  });

  it('a schema that does not compile: warm() names its route and goes on; it answers 500', async () => {
    const serializers = new DeferredSerializers();
    const broken = { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } };
    const routes = {
      '/bad': { schema: broken, answer: { a: 1 } },
      '/good': { schema: itemSchema, answer: { id: 'b', version: 1 } },
    };
    const { app, url } = await serve(serializers, routes, false);
    try {
      expect(await serializers.warm()).toEqual(['GET /bad 200']);
      expect(serializers.uncompiled).toBe(0);
      expect((await fetch(`${url}/bad`)).status).toBe(500);
      expect(await (await fetch(`${url}/good`)).json()).toEqual({ id: 'b', version: 1 });
    } finally {
      await app.close();
    }
  });

  it('warm() compiles every serializer no answer has needed yet', async () => {
    const serializers = new DeferredSerializers();
    const { app, url } = await serve(serializers);
    try {
      expect(await serializers.warm()).toEqual([]);
      expect(serializers.uncompiled).toBe(0);
      const res = await fetch(`${url}/two`);
      expect(await res.json()).toEqual({ id: 'a', version: 7 });
    } finally {
      await app.close();
    }
  });
});
