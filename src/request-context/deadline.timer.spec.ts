import { spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { startDeadlineTimer } from './deadline.timer.js';

const moduleUrl = new URL('./deadline.timer.ts', import.meta.url).href;

describe('startDeadlineTimer', () => {
  it('calls back with its arguments at the deadline', async () => {
    const fired = new EventEmitter();
    startDeadlineTimer((a: string, b: number) => fired.emit('deadline', a, b), 5, 'request', 7);
    expect(await once(fired, 'deadline')).toEqual(['request', 7]);
  });

  it('holds no process open and keeps its duration list when the last timer is cleared', () => {
    // In a process of its own, with Node's timer lists in view (internal/timers): the list of a
    // cleared request timer's duration is still there, and the process ends by itself (or
    // spawnSync's timeout kills it: status null).
    const script = `
      import { createRequire } from 'node:module';
      import { startDeadlineTimer } from ${JSON.stringify(moduleUrl)};
      const lists = createRequire(import.meta.url)('internal/timers').timerListMap;
      clearTimeout(setTimeout(() => {}, 30_000));
      const plainKept = lists[30_000] !== undefined;
      const timer = startDeadlineTimer(() => {}, 30_000);
      const list = lists[30_000];
      clearTimeout(timer);
      const kept = list !== undefined && lists[30_000] === list;
      startDeadlineTimer(() => {}, 3_600_000);
      console.log(JSON.stringify({ plainKept, kept, referenced: timer.hasRef() }));
    `;
    const result = spawnSync(
      process.execPath,
      ['--expose-internals', '--no-warnings', '--input-type=module', '-e', script],
      { timeout: 20_000 },
    );
    expect(`${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(`${result.stdout}`)).toEqual({
      plainKept: false,
      kept: true,
      referenced: false,
    });
  });
});
