import { mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { until } from '../../test/support/wait.js';
import { LogSink } from './log.sink.js';

describe('LogSink', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-sink-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes lines in order, in one batch rather than per line', async () => {
    const sink = new LogSink(fd, undefined, 0);
    for (let i = 0; i < 1000; i++) sink.write(`{"n":${i}}\n`);
    expect(readFileSync(file, 'utf8')).toBe(''); // nothing written on the caller's path
    await nextTurn();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('holds a small batch for flushAfterMs, so a quiet stream makes few writes', async () => {
    // Long beside two loop turns even when a busy machine pauses this process (a CI run's two
    // turns outlasted 50 ms); the test waits it out once.
    const sink = new LogSink(fd, undefined, 1_000);
    sink.write('first\n');
    await nextTurn();
    sink.write('second\n');
    await nextTurn();
    expect(readFileSync(file, 'utf8')).toBe(''); // two turns later, still one batch waiting
    await until(() => readFileSync(file, 'utf8') !== '', 5_000);
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\n');
  });

  it('writes a full batch (32 KiB) at the next turn, without waiting for flushAfterMs', async () => {
    const sink = new LogSink(fd, undefined, 60_000);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 32; i++) sink.write(line);
    await nextTurn();
    expect(readFileSync(file, 'utf8')).toBe(line.repeat(32));
  });

  it('keeps multi-byte text intact', async () => {
    const sink = new LogSink(fd, undefined, 0);
    sink.write('{"msg":"grüße ✓ 𝄞"}\n');
    await nextTurn();
    expect(readFileSync(file, 'utf8')).toBe('{"msg":"grüße ✓ 𝄞"}\n');
  });

  it('writes a batch of any length whole, multi-byte text in it too', async () => {
    // 64 Ki characters fit the sink's own buffer; a backlog past that is written another way.
    for (const lines of [10, 2_000]) {
      const path = join(dir, `batch-${lines}.log`);
      const out = openSync(path, 'w');
      const sink = new LogSink(out, undefined, 60_000);
      const line = `{"msg":"${'é✓𝄞'.repeat(20)}"}\n`;
      for (let i = 0; i < lines; i++) sink.write(line);
      sink.flushSync();
      closeSync(out);
      expect(readFileSync(path, 'utf8')).toBe(line.repeat(lines));
    }
  });

  it('flushSync writes what is queued at once (for the lines before process.exit)', () => {
    const sink = new LogSink(fd);
    sink.write('last words\n');
    sink.flushSync();
    expect(readFileSync(file, 'utf8')).toBe('last words\n');
  });

  it('drops and counts lines past its backlog limit instead of growing without bound', async () => {
    const sink = new LogSink(fd, 20, 0);
    expect(sink.write('0123456789\n')).toBe(true);
    expect(sink.write('0123456789\n')).toBe(false);
    expect(sink.dropped).toBe(1);
    await nextTurn();
    expect(sink.write('0123456789\n')).toBe(true); // room again once written
    sink.flushSync();
    expect(readFileSync(file, 'utf8')).toBe('0123456789\n0123456789\n');
  });

  it('waits out a full non-blocking pipe (EAGAIN) and loses nothing', async () => {
    // A real pipe to `cat`, which Node opens non-blocking: 2 MiB overflow its 64 KiB buffer.
    const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    const pipeFd = (cat.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    let received = '';
    cat.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const sink = new LogSink(pipeFd);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 2048; i++) sink.write(line);
    await until(() => received.length === 2048 * 1024, 10_000);
    expect(received).toBe(line.repeat(2048));
    expect(sink.dropped).toBe(0);
    cat.kill();
  });

  it('resumes a batch a full pipe took in part mid-character, and writes what queued meanwhile with no line after', async () => {
    // Batches small enough for the sink's scratch, of 2-, 3- and 4-byte characters, into a pipe
    // whose reader stalls: write(2) takes part of a batch, cut anywhere in a character. The
    // last lines are queued while the pipe is full, and none follows them.
    const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const pipeFd = (cat.stdin as unknown as { _handle: { fd: number } })._handle.fd;
      let received = '';
      cat.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      cat.stdout.pause();
      const sink = new LogSink(pipeFd, undefined, 0);
      let expected = '';
      for (let turn = 0; turn < 40; turn++) {
        for (let i = 0; i < 50; i++) {
          const line = `${turn}.${i} ${'grüße ✓ 𝄞 '.repeat(20)}\n`;
          sink.write(line);
          expected += line;
        }
        await nextTurn();
      }
      cat.stdout.resume();
      await until(() => received.length >= expected.length, 5_000);
      expect(received).toBe(expected);
      expect(sink.dropped).toBe(0);
    } finally {
      cat.kill();
    }
  });

  it('counts lines lost to a bad descriptor and does not throw into the caller', async () => {
    const sink = new LogSink(1_000_000, undefined, 0);
    sink.write('a\n');
    sink.write('b\n');
    await nextTurn();
    expect(sink.dropped).toBe(2);
  });
});
