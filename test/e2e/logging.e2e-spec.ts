import { spawn, type ChildProcess } from 'node:child_process';
import { ensureBuilt, ROOT } from '../support/child-process.js';

/**
 * A process whose stdout reader stops reading (a stalled log collector) logs 200 MB of lines,
 * then reports how often a 10 ms timer fired meanwhile and how many lines the sink dropped.
 */
const STALLED_WRITER = `
import { logger, logSink } from './dist/logging/logger.js';
let ticks = 0;
setInterval(() => ticks++, 10).unref();
const line = 'x'.repeat(1000);
for (let turn = 0; turn < 200; turn++) {
  for (let i = 0; i < 1000; i++) logger.info(line);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
process.stderr.write(JSON.stringify({ ticks, dropped: logSink.dropped }) + '\\n');
process.exit(0);
`;

describe('logging to a stdout nobody reads (real pipe, real child process)', () => {
  let child: ChildProcess | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(() => child?.kill('SIGKILL')); // a writer blocked in write(2) would outlive the test

  it('never blocks the event loop: lines past the backlog are dropped and counted', async () => {
    const writer = spawn(process.execPath, ['--input-type=module', '-e', STALLED_WRITER], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = writer;
    writer.stdout.pause(); // the parent never reads: the pipe fills after 64 KiB
    let report = '';
    writer.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => writer.once('exit', resolve));
    expect(exitCode).toBe(0);
    const { ticks, dropped } = JSON.parse(report) as { ticks: number; dropped: number };
    expect(dropped).toBeGreaterThan(100_000); // 200,000 lines of ~1 KB, a 16 Mi-character backlog
    expect(ticks).toBeGreaterThan(0); // timers kept running while stdout was stalled
  }, 30_000);
});
