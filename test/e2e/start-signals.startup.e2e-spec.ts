/**
 * A signal while the service starts: the public port listens a moment before start-up ends, and
 * Node's default would end the process there and then (exit by signal, no drain). The signal is
 * held until start-up ends and then drains as any other; a second one exits at once, so a start
 * that hangs can still be stopped. The signal is sent when the database reports ready, during
 * the modules' start, before any port listens.
 */
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';
import { readFileSync } from 'node:fs';
import { PRELOAD } from '../support/traced-child.js';
import { until } from '../support/wait.js';

/** User + system CPU the process has used, in clock ticks (/proc/<pid>/stat fields 14, 15). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

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

  // While the bundle loads, before main() runs: Node's default ended the process there (143, no
  // log line) for the first ~0.4 s. The signal is sent once the process has spent 150 ms of CPU,
  // well into loading it and far from ready (~0.9 s of CPU here): its own progress, not a wall
  // clock that a busy machine stretches.
  it('SIGTERM while the bundle still loads: held too, start-up finishes, then the drain', async () => {
    const child = await startChild(
      { ...database.env, LOG_LEVEL: 'info' },
      { waitReady: false, args: PRELOAD },
    );
    children.push(child);
    const pid = child.process.pid!;
    await until(() => cpuTicks(pid) >= 15 || child.process.exitCode !== null, 30_000);
    expect(child.output()).not.toContain('"msg":"rampart is ready"');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('signal during start-up');
    expect(child.output()).toContain('shutdown: step 7, exit');
  });

  it('a second, different signal exits at once with 130', async () => {
    const child = await starting();
    child.process.kill('SIGTERM');
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(child.output()).toMatch(/second signal during (start-up|shutdown)/);
  });
});
