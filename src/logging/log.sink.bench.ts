/**
 * ns per log line written to a file and to a pipe read by another process (`cat`, as a container
 * runtime reads stdout), all the way to write(2): LogSink (appended to a string, one write per
 * batch: 32 KiB or 10 ms) and LogSink writing at every event-loop turn, against the plain choices,
 * pino's sonic-boom destination in sync mode (one write(2) per line) and in async mode (its
 * default for pino.destination with `sync: false`). Eight lines per event-loop turn, as a busy
 * server writes them; CPU time. If LogSink stops winning clearly, use pino.destination.
 *   npm run bench -- micro   (or: npm run build && node dist/logging/log.sink.bench.js)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { LogSink } from './log.sink.js';

const LINE = `{"level":"info","time":"2026-01-01T00:00:00.000Z","pid":1,"service":"rampart","module":"http","reqId":"f3b5c1de-8a0e-4c43-9a55-2c8f0f1a7b21","method":"GET","route":"/hello","status":200,"durationMs":0.42,"msg":"request"}\n`;
const PER_TURN = 8;
const TURNS = 20_000;

interface Destination {
  write(line: string): unknown;
  /** Resolves once everything written reached the descriptor, which is then closed. */
  close(): Promise<void>;
}

function logSink(fd: number, flushAfterMs?: number): Destination {
  const sink = new LogSink(fd, undefined, flushAfterMs);
  return {
    write: (line) => sink.write(line),
    close: async () => sink.flushSync(),
  };
}

function noLines(_fd: number): Destination {
  return { write: () => undefined, close: async () => undefined };
}

function sonicBoom(fd: number, sync: boolean): Destination {
  const dest = pino.destination({ fd, sync, minLength: 0 });
  return {
    write: (line) => dest.write(line),
    // Ending closes the descriptor (files only: see the targets below).
    close: () =>
      new Promise((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      }),
  };
}

/** CPU time (user + system, this process) per line: the machine is shared, wall time is not ours. */
async function nsPerLine(dest: Destination): Promise<number> {
  const started = process.cpuUsage();
  for (let t = 0; t < TURNS; t++) {
    for (let i = 0; i < PER_TURN; i++) dest.write(LINE);
    await nextTurn();
  }
  await dest.close();
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / (TURNS * PER_TURN);
}

/** A descriptor to write to: a new file, or the write end of a pipe `cat` reads and discards. */
type Target = [name: string, open: (run: number) => number, close: (fd: number) => void];

const dir = mkdtempSync(join(tmpdir(), 'log-sink-bench-'));
const readers: Array<ReturnType<typeof spawn>> = [];
const targets: Target[] = [
  [
    'a file',
    (run) => openSync(join(dir, `out-${run}.log`), 'w'),
    (fd) => {
      try {
        closeSync(fd);
      } catch {
        // sonic-boom's end() closed it already
      }
    },
  ],
  [
    'a pipe another process reads',
    () => {
      const cat = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
      readers.push(cat);
      // Its own descriptor: the stream's is non-blocking (libuv), as stdout's is in production.
      return (cat.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    },
    () => readers.at(-1)?.stdin?.destroy(),
  ],
];
try {
  for (const [target, open, close] of targets) {
    process.stdout.write(`one log line to ${target}, ${PER_TURN} lines per event-loop turn\n`);
    for (const [name, make] of [
      ['no line at all (the event-loop turns alone)', noLines],
      // To a file only: on the non-blocking pipe, sonic-boom's sync mode spins on EAGAIN.
      ...(target === 'a file'
        ? ([
            ['sonic-boom, sync (plain: a write per line)', (fd: number) => sonicBoom(fd, true)],
            ['sonic-boom, async', (fd: number) => sonicBoom(fd, false)],
          ] as const)
        : []),
      ['LogSink, a write per turn', (fd: number) => logSink(fd, 0)],
      ['LogSink (a write per 32 KiB or 10 ms)', (fd: number) => logSink(fd)],
    ] as const) {
      const runs: number[] = [];
      for (let run = 0; run < 4; run++) {
        const fd = open(run);
        runs.push(await nsPerLine(make(fd)));
        close(fd);
      }
      const best = Math.min(...runs.slice(1)); // the first run warms up
      process.stdout.write(`  ${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`);
    }
  }
} finally {
  for (const reader of readers) reader.kill();
  rmSync(dir, { recursive: true, force: true });
}
