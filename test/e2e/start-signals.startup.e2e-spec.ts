/**
 * A signal while the service starts: the public port listens a moment before start-up ends, and
 * Node's default would end the process there and then (exit by signal, no drain). The signal is
 * held until start-up ends and then drains as any other; a second one exits at once, so a start
 * that hangs can still be stopped. The signal is sent when the database reports ready, during
 * the modules' start, before any port listens.
 */
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { until } from '../support/wait.js';

const STARTING = '"msg":"database ready"';

describe('SIGTERM and SIGINT during start-up', () => {
  let database: Awaited<ReturnType<typeof defaultDatabaseEnv>>;
  const children: Child[] = [];

  beforeAll(async () => {
    database = await defaultDatabaseEnv();
  });
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    await database?.drop();
  });

  async function starting(): Promise<Child> {
    const child = await startChild({ ...database.env, LOG_LEVEL: 'info' }, { waitReady: false });
    children.push(child);
    await until(() => child.output().includes(STARTING), 30_000);
    return child;
  }

  it('one SIGTERM: start-up finishes, then the usual drain, exit 0', async () => {
    const child = await starting();
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const output = child.output();
    expect(output).toContain('signal during start-up');
    // In order: ready, then the drain's steps to its last.
    const ready = output.indexOf('"msg":"rampart is ready"');
    expect(ready).toBeGreaterThan(output.indexOf(STARTING));
    expect(output.indexOf('shutdown: step 1')).toBeGreaterThan(ready);
    expect(output).toContain('shutdown: step 7, exit');
  });

  it('a second, different signal exits at once with 130', async () => {
    const child = await starting();
    child.process.kill('SIGTERM');
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(child.output()).toMatch(/second signal during (start-up|shutdown)/);
  });
});
