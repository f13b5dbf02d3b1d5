import { startChild, type Child } from '../support/child-process.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { PRELOAD } from '../support/traced-child.js';

// A real PostgreSQL and Redis: the instrumentations patch the `pg` and `ioredis` drivers.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function patched(child: Child): Promise<Record<string, number>> {
  const text = await (await fetch(`${child.adminUrl}/metrics`)).text();
  const samples = parsePrometheusText(text).get('otel_instrumentation_patched')?.samples ?? [];
  return Object.fromEntries(samples.map((s) => [s.labels.library, s.value]));
}

function warnings(child: Child): Array<Record<string, unknown>> {
  return child
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === 'warn' && line.library !== undefined);
}

/** A traced instance (no exporter needed: instrumentations patch either way) with `args`. */
async function start(args: string[]): Promise<Child> {
  return startChild(
    { OTEL_SDK_DISABLED: 'false', DATABASE_URL, REDIS_URL, SHUTDOWN_DRAIN_DELAY_MS: '0' },
    { args },
  );
}

async function stop(child: Child): Promise<void> {
  child.process.kill('SIGTERM');
  await child.exited;
}

describe('instrumentation self-check (otel_instrumentation_patched)', () => {
  it('reports pg, undici and ioredis patched (1) and warns about none when started as the image does', async () => {
    const child = await start(PRELOAD);
    try {
      expect(await patched(child)).toEqual({ pg: 1, undici: 1, ioredis: 1 });
      expect(warnings(child)).toEqual([]);
    } finally {
      await stop(child);
    }
  });

  it('reports 0 and logs a warning for a library loaded before the telemetry bootstrap', async () => {
    // `--require pg` loads pg ahead of the bootstrap's require hook, as another agent or a
    // preload script would: the app's later import gets the cached, unpatched module.
    const child = await start(['--require', 'pg', ...PRELOAD]);
    try {
      expect(await patched(child)).toEqual({ pg: 0, undici: 1, ioredis: 1 });
      expect(warnings(child)).toEqual([
        expect.objectContaining({
          module: 'telemetry',
          library: 'pg',
          msg: expect.stringContaining('instrumentation of pg is not in effect'),
        }),
      ]);
    } finally {
      await stop(child);
    }
  });

  it('exports no such series when the SDK is disabled', async () => {
    const child = await startChild({ OTEL_SDK_DISABLED: 'true' });
    try {
      expect(await patched(child)).toEqual({});
    } finally {
      await stop(child);
    }
  });
});
