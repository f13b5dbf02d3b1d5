import { get, ServerResponse } from 'node:http';
import type { Context } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { loadConfig } from '../../src/config/config.loader.js';
import { contextStore, requestContextOf } from '../../src/request-context/context.store.js';
import { TELEMETRY_HANDLE } from '../../src/telemetry/telemetry.handle.js';
import { TelemetrySdk } from '../../src/telemetry/telemetry.sdk.js';
import { startTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';
import { eventually, until } from '../support/wait.js';

/**
 * What one request costs in per-request machinery, counted on the objects the code uses:
 * the `close` listeners on its Node response when it is answered, and how many times the
 * context store was entered with the request's context.
 */
async function oneRequest(t: TestApp, path: string) {
  const closeListeners: number[] = [];
  const end = ServerResponse.prototype.end;
  const entries = new Map<string, number>();
  const count = (ctx: Context): void => {
    const id = requestContextOf(ctx)?.requestId;
    if (id !== undefined) entries.set(id, (entries.get(id) ?? 0) + 1);
  };
  // Both ways into the store: `with`, and `attach` (how enterRequest enters a request's start).
  const enter = contextStore.with;
  const attach = contextStore.attach;
  contextStore.with = function (this: typeof contextStore, ctx: Context, ...rest: unknown[]) {
    count(ctx);
    return (enter as (...args: unknown[]) => unknown).call(this, ctx, ...rest);
  } as typeof enter;
  contextStore.attach = function (this: typeof contextStore, ctx: Context) {
    count(ctx);
    return attach.call(this, ctx);
  };
  ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    closeListeners.push(this.listenerCount('close'));
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof end;
  try {
    const res = await fetch(`${t.baseUrl}${path}`, { headers: { 'x-request-id': 'one-request' } });
    expect(res.status).toBe(200);
    await res.text();
  } finally {
    ServerResponse.prototype.end = end;
    contextStore.with = enter;
    contextStore.attach = attach;
  }
  return { closeListeners, entries: entries.get('one-request') ?? 0 };
}

describe('one request, one state: untraced', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /hello: one close listener on its response, the context store entered once', async () => {
    const { closeListeners, entries } = await oneRequest(t, '/hello');
    expect(closeListeners).toEqual([1]);
    expect(entries).toBe(1);
  });

  // The request's AbortSignal is made on its first read (request-context/request-state.ts); a
  // read the cache answers needs none. It was read before the cache was asked, on every hit.
  it('a cached GET /api/items/:id never reads its request signal; a miss does', async () => {
    const created = await fetch(`${t.baseUrl}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'signal-reads', tags: [] }),
    });
    const { id } = (await created.json()) as { id: string };
    const reads = async () => {
      const descriptor = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal')!;
      let count = 0;
      Object.defineProperty(AbortController.prototype, 'signal', {
        ...descriptor,
        get(this: AbortController) {
          count++;
          return descriptor.get!.call(this);
        },
      });
      try {
        // node:http, not fetch: undici reads an AbortController's signal of its own.
        expect(await statusOf(`${t.baseUrl}/api/items/${id}`)).toBe(200);
      } finally {
        Object.defineProperty(AbortController.prototype, 'signal', descriptor);
      }
      return count;
    };
    // A create fills nothing in the cache (a write drops the entry): the first read loads.
    expect(await reads()).toBeGreaterThan(0);
    expect(await reads()).toBe(0);
  });
});

// Admission is on by default in production (test-app.ts turns it off): its raw listener holds a
// slot per admitted request, released at the response's close, by the same one listener.
describe('one request, one state: admission on, as deployed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMISSION_ENABLED: 'true' });
  });
  afterAll(() => t.close());

  it('GET /hello: one close listener on its response, and its slot released', async () => {
    const { closeListeners, entries } = await oneRequest(t, '/hello');
    expect(closeListeners).toEqual([1]);
    expect(entries).toBe(1);
    await eventually(async () => {
      const metrics = await (await fetch(`${t.adminUrl}/metrics`)).text();
      return /^http_server_admission_in_flight 0$/m.test(metrics);
    }, 5_000);
  });
});

const TRACED = {
  OTEL_SDK_DISABLED: 'false',
  OTEL_TRACES_SAMPLER: 'always_on',
  OTEL_BSP_SCHEDULE_DELAY: '50',
};

describe('one request, one state: traced at 100 %', () => {
  let t: TestApp;
  const exporter = new InMemorySpanExporter();
  const sdk = new TelemetrySdk();
  beforeAll(async () => {
    sdk.start(loadConfig({ ...TEST_ENV, ...TRACED }), exporter);
    (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE] = sdk;
    t = await startTestApp(TRACED);
  });
  afterAll(async () => {
    await t.close();
    await sdk.shutdown();
    delete (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE];
  });

  it('GET /hello: one close listener with a recording span, the store entered once', async () => {
    const { closeListeners, entries } = await oneRequest(t, '/hello');
    expect(closeListeners).toEqual([1]);
    expect(entries).toBe(1);
    // The span did record: the listener above is the one that would end it if abandoned.
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'GET /hello'), 5_000);
  });
});

/** The status of a GET sent with node:http, its body read to the end. */
function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}
